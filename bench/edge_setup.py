"""The edge benchmark's world: a data directory with its accounts, nodes and watchlist, a
nats-server configured by ``lfr nats config`` (the real command), and the deployments the
rounds run. Everything through the governance API, as an admin, a manager, an operator and an
authorising officer would do it."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import REPO
from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.domain import Subject, Template
from lfr.edge.centre.nodes import add_node
from lfr.edge.credentials.files import write_credentials
from lfr.governance.accounts import users
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.law.policy_service import current_policy
from lfr.governance.watchlists import entries as watchlists

ADMIN = Actor("bench-admin", Role.ADMIN)
MANAGER = Actor("bench-manager", Role.WATCHLIST_MANAGER)
OPERATOR = Actor("bench-operator", Role.OPERATOR)
AUTHORISER = Actor("bench-authoriser", Role.AUTHORISING_OFFICER)


@dataclass(frozen=True, slots=True)
class Accounts:
    passwords: dict[str, str]

    def password(self, actor: Actor) -> str:
        return self.passwords[actor.username]


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def make_accounts(services: Services) -> Accounts:
    passwords = {
        a.username: secrets.token_urlsafe(16) for a in (ADMIN, MANAGER, OPERATOR, AUTHORISER)
    }
    users.bootstrap_admin(services, ADMIN.username, passwords[ADMIN.username])
    for actor in (MANAGER, OPERATOR, AUTHORISER):
        users.create_user(services, ADMIN, actor.username, passwords[actor.username], actor.role)
    return Accounts(passwords)


def add_nodes(services: Services, names: list[str], folder: Path) -> dict[str, Path]:
    """Each node registered, its credentials written (mode 0600) to ``folder/<name>.creds``."""
    creds = {}
    for name in names:
        creds[name] = folder / f"{name}.creds"
        write_credentials(creds[name], add_node(services, ADMIN, name))
    return creds


def store_watchlist(services: Services, templates: list[Template]) -> int:
    """The enrolled templates as a governed watchlist, one entry per subject."""
    policy = current_policy(services, MANAGER)
    watchlist_id = watchlists.create_watchlist(services, MANAGER, "edge-bench")
    expires = services.clock() + timedelta(days=min(10, policy.max_entry_days))
    by_subject: dict[str, list[Template]] = {}
    for template in templates:
        by_subject.setdefault(template.subject.reference, []).append(template)
    for reference, own in by_subject.items():
        subject = Subject(
            reference,
            reference.replace("_", " ").title(),
            policy.categories[0],
            "benchmark only",
            "public photo",
        )
        watchlists.add_entry(services, MANAGER, watchlist_id, subject, own, expires)
    return watchlist_id


def go_live(
    services: Services, watchlist_id: int, cameras: dict[str, str], threshold: float
) -> int:
    """A deployment planned by the operator (assigned to it by planning it: the one who watches
    the alert stream), authorised, signposted and started; ``cameras``: name -> ``SPEC@node``."""
    policy = current_policy(services, OPERATOR)
    now = datetime.now(UTC)
    plan = DeploymentPlan(
        name=f"edge bench {secrets.token_hex(3)}",
        purpose=policy.purposes[0],
        location_name="Benchmark Street",
        latitude=51.5,
        longitude=-0.1,
        area_description="the benchmark's cameras: a recorded clip played at its own pace",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        cameras=cameras,
        watchlist_id=watchlist_id,
        threshold=threshold,
        dpia_reference="DPIA-BENCH",
    )
    deployment_id = dep.plan_deployment(services, OPERATOR, plan)
    dep.authorise(services, AUTHORISER, deployment_id, "benchmark")
    dep.confirm_signage(services, OPERATOR, deployment_id, "BENCH-SIGN")
    dep.start(services, OPERATOR, deployment_id)
    return deployment_id


def end(services: Services, deployment_id: int) -> None:
    dep.end(services, OPERATOR, deployment_id, "benchmark round over")


def lfr_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an ``lfr`` child process: this checkout's src/, its own HOME."""
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home), "PYTHONPATH": str(REPO / "src")}
    for name in ("LFR_DATABASE_URL", "LFR_USER", "LFR_PASSWORD", "LFR_DATA_DIR"):
        env.pop(name, None)
    return {**env, **extra}


def write_nats_config(
    data_dir: Path,
    database_url: str | None,
    accounts: Accounts,
    out: Path,
    port: int,
    leaf_port: int | None = None,
) -> None:
    """``lfr nats config`` itself (as the admin): the centre and every registered node (and a
    leaf-node port when ``leaf_port`` is given)."""
    env = lfr_env(out.parent, LFR_USER=ADMIN.username, LFR_PASSWORD=accounts.password(ADMIN))
    if database_url:
        env["LFR_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "lfr", "nats", "config", "--data-dir", str(data_dir)]
    command += ["--out", str(out), "--store-dir", str(out.parent / "jetstream")]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    command += ["--leaf-port", str(leaf_port or 0)]  # 0: the nodes connect directly
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)


def start_leaves(
    creds: dict[str, Path], hub_leaf_port: int, folder: Path
) -> tuple[dict[str, str], list[NatsServer]]:
    """A leaf server per node, each configured by ``lfr nats leaf-config`` as on an edge
    machine: the URL each node connects to, and the servers (the caller stops them)."""
    urls, servers = {}, []
    for name, path in sorted(creds.items()):
        leaf = folder / f"leaf-{name}"
        leaf.mkdir(parents=True)
        port = free_port()
        command = [sys.executable, "-m", "lfr", "nats", "leaf-config", "--creds", str(path)]
        command += ["--hub", f"nats-leaf://127.0.0.1:{hub_leaf_port}", "--port", str(port)]
        command += ["--out", str(leaf / "leaf.conf"), "--store-dir", str(leaf / "store")]
        subprocess.run(command, env=lfr_env(leaf), check=True, capture_output=True, timeout=60)
        servers.append(NatsServer(leaf / "leaf.conf", port))
        urls[name] = servers[-1].url
    return urls, servers


class NatsServer:
    """Debian's nats-server on ``config`` (stopped by ``stop``)."""

    def __init__(self, config: Path, port: int) -> None:
        binary = shutil.which("nats-server")
        if binary is None:
            raise SystemExit("nats-server is not installed (scripts/nats.sh installs it)")
        self.url = f"nats://127.0.0.1:{port}"
        with (config.parent / "nats.log").open("ab") as log:
            self._process = subprocess.Popen([binary, "-c", str(config)], stdout=log, stderr=log)
        self._log = config.parent / "nats.log"
        wait_for(self._accepting, 30, f"nats-server on port {port}")

    def _accepting(self) -> bool:
        if self._process.poll() is not None:
            raise RuntimeError(f"nats-server exited: {self._log.read_text()[-2000:]}")
        return accepting(int(self.url.rsplit(":", 1)[1]))

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
