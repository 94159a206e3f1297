"""Issue 9's "Done when", as a user types it: every step a real ``lfr`` process on its own
machine's share of the data (the centre's data directory, the node's credentials file), as
README.md's "Cameras on edge nodes" lists them. ``lfr init``, users, ``lfr edge add node1``,
``lfr nats config``, ``nats-server -c``, ``lfr serve --nats``, ``lfr edge run``, a watchlist
with Lin-Manuel Miranda imported, a deployment with ``--camera cam1=CLIP@node1`` planned,
authorised by someone else, signposted and started; the alert stored, the end, the node's wipe
audited, ``lfr audit verify`` intact. Then the same with the control centre killed (-9) the
moment the node raised its alert, and started again on the same data directory."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from lfr.edge.credentials.files import read_credentials
from lfr.edge.jetstream import connect
from lfr.edge.leaf import LEAF_STREAMS
from tests.e2e.conftest import CLIP, LIN
from tests.e2e.edge_helpers import edge_node, enrolled_needles, raised_alert_ids
from tests.e2e.test_cli_flows import lfr
from tests.nats_server import NatsServer, free_port
from tests.process_memory import found_in_memory, where_in_memory
from tests.waiting import PATIENCE_S, wait_until

RUN_S = 300.0
"""The node loads the models and plays the clip (9 s) at its pace on a shared machine."""
STARTUP_S = 180.0
PASSWORDS = {
    "ada": "admin pass phrase 1",
    "mona": "watchlist manager phrase",
    "olive": "operator pass phrase",
    "arthur": "authoriser pass phrase",
}
ROLES = {"mona": "watchlist_manager", "olive": "operator", "arthur": "authorising_officer"}


@dataclass
class Flow:
    """The three machines' processes: nats-server, ``lfr serve --nats``, ``lfr edge run``."""

    root: Path
    nats: NatsServer
    leaf: NatsServer | None = None
    """The van's own nats-server, a leaf of ``nats`` (``lfr nats leaf-config``)."""
    web_port: int = field(default_factory=free_port)
    serve: subprocess.Popen[bytes] | None = None
    node: subprocess.Popen[bytes] | None = None
    serve_starts: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def centre_env(self) -> dict[str, str]:
        return {
            "LFR_DATA_DIR": str(self.root / "centre"),
            "LFR_DATABASE_URL": "",  # the embedded SQLite, whatever the caller's shell says
            "LFR_MEDIA_DIR": str(CLIP.parent),
        }

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def raised(self) -> list[str]:
        """The ids of the alerts the node raised (its own list, kept across its runs)."""
        return raised_alert_ids(self.root / "node1.out")

    def cli(self, *args: str, user: str | None = "ada", **env: str) -> str:
        """``lfr ARGS`` on the control centre as ``user`` (None: no one); it must succeed."""
        login = {"LFR_USER": user, "LFR_PASSWORD": PASSWORDS[user]} if user else {}
        done = lfr(*args, cwd=self.root, env={**self.centre_env, **login, **env})
        assert done.returncode == 0, f"lfr {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def start_serve(self) -> None:
        self.serve_starts += 1
        self.tokens.clear()  # log in again on each start, as a browser would after a restart
        command = ["serve", "--nats", self.nats.url, "--port", str(self.web_port)]
        env = {**os.environ, "HOME": str(self.root), **self.centre_env}
        with (self.root / f"serve-{self.serve_starts}.out").open("wb") as out:
            self.serve = subprocess.Popen(
                [sys.executable, "-m", "lfr", *command],
                cwd=self.root,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, timeout=STARTUP_S, what="lfr serve --nats to answer")

    def _answers(self) -> bool:
        assert self.serve is not None and self.serve.poll() is None, self.logs()
        try:
            return httpx.get(f"{self.web}/public", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start_node(self) -> None:
        """``lfr edge run`` in a world of its own (HOME, TMPDIR, cwd): it must write nothing.
        It says each alert's id in its output, outside it."""
        self.node = edge_node(
            self.root / "node1-home",
            (self.leaf or self.nats).url,
            self.root / "node1.creds",
            self.root / "node1.out",
        )

    def api(self, path: str, user: str) -> Any:
        """GET ``path`` as ``user`` would from the web app (logged in once: a bearer token)."""
        if user not in self.tokens:
            login = {"username": user, "password": PASSWORDS[user]}
            token = httpx.post(f"{self.web}/api/auth/token", json=login, timeout=10)
            assert token.status_code == 200, token.text
            self.tokens[user] = token.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        response = httpx.get(f"{self.web}{path}", headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.root.glob("*.out"))
        )


def _watchlist_folder(root: Path, data: Path) -> Path:
    """Lin-Manuel Miranda's photos (linked) with the facts a governed import needs."""
    subject = root / "watchlist" / LIN
    subject.mkdir(parents=True)
    for photo in sorted((data / "faces" / LIN).iterdir()):
        (subject / photo.name).symlink_to(photo)
    facts = {
        "reference": LIN,
        "display_name": "Lin-Manuel Miranda",
        "category": "wanted by the courts",
        "reason": "warrant 2026/117",
        "image_source": "custody record",
    }
    (subject / "subject.json").write_text(json.dumps(facts))
    return subject.parent


def _set_up_centre(root: Path, data: Path, nats_port: int, leaf_port: int) -> None:
    """The control centre's commands, in README.md's order, as the admin and the manager."""
    centre = Flow(root, NatsServer(root / "nats.conf", nats_port, root / "nats.log"))
    centre.cli("init", "--admin", "ada", user=None, LFR_PASSWORD=PASSWORDS["ada"])
    for user, role in ROLES.items():
        centre.cli("user", "add", user, "--role", role, LFR_NEW_PASSWORD=PASSWORDS[user])
    centre.cli("edge", "add", "node1", "--out", str(root / "node1.creds"))
    store = str(root / "jetstream")
    ports = ["--port", str(nats_port), "--leaf-port", str(leaf_port)]  # none shared
    centre.cli("nats", "config", "--out", str(root / "nats.conf"), "--store-dir", store,
               "--host", "127.0.0.1", *ports)  # fmt: skip
    centre.cli("watchlist", "create", "Theatre list", user="mona")
    folder = str(_watchlist_folder(root, data))
    imported = centre.cli(
        "watchlist", "import", folder, "--into", "Theatre list", "--expires-days", "7", user="mona"
    )
    assert "1 of 1 subjects added" in imported, imported


def _van_leaf(flow: Flow, hub_leaf_port: int) -> NatsServer:
    """The van's command for its own server: the node's credentials are all it needs."""
    port, config = free_port(), flow.root / "leaf.conf"
    hub = ["--hub", f"nats-leaf://127.0.0.1:{hub_leaf_port}", "--port", str(port)]
    files = ["--store-dir", str(flow.root / "leaf-store"), "--out", str(config)]
    flow.cli(
        "nats", "leaf-config", "--creds", str(flow.root / "node1.creds"), *hub, *files, user=None
    )
    return NatsServer(config, port, flow.root / "leaf.log")


@pytest.fixture(scope="module")
def flow(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    root = tmp_path_factory.mktemp("three-machines")
    nats_port, leaf_port = free_port(), free_port()
    _set_up_centre(root, data, nats_port, leaf_port)
    running = Flow(root, NatsServer(root / "nats.conf", nats_port, root / "nats.log"))
    running.nats.start()  # nats-server -c nats.conf
    running.leaf = _van_leaf(running, leaf_port)
    try:
        running.leaf.start()  # on the van: nats-server -c leaf.conf
        running.start_serve()
        running.start_node()
        yield running
    finally:
        for process in (running.node, running.serve):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
        running.leaf.stop()
        running.nats.stop()


def _go_live(flow: Flow) -> int:
    """Planned by the operator with the camera on node1, authorised by another officer,
    signposted and started: the governed flow of README.md, by the command line."""
    now = datetime.now(UTC)
    window = [(now - timedelta(minutes=1)).isoformat(), (now + timedelta(hours=1)).isoformat()]
    planned = flow.cli(
        "deployment", "create", "--name", "Op Lantern",
        "--purpose", "crime hotspot and its access routes",
        "--location", "High Street", "--lat", "51.37", "--lon", "-0.10",
        "--area", "the station approach", "--starts", window[0], "--ends", window[1],
        "--camera", f"cam1={CLIP}@node1", "--watchlist", "Theatre list",
        "--threshold", "0.5", "--dpia", "DPIA-2026-01",
        user="olive",
    )  # fmt: skip
    found = re.search(r"deployment (\d+) planned", planned)
    assert found, planned
    deployment = found.group(1)
    flow.cli("deployment", "authorise", deployment, user="arthur")
    flow.cli("deployment", "signage", deployment, "--reference", "SIGN-1", user="olive")
    flow.cli("deployment", "start", deployment, user="olive")
    return int(deployment)


def _audited(flow: Flow, action: str, deployment_id: int) -> list[dict[str, Any]]:
    """The audit entries of ``action`` about the deployment, as the audit page reads them."""
    entries = flow.api(f"/api/audit?action={action}", "ada")
    return [e for e in entries if e["target"] == f"deployment:{deployment_id}"]


def _stored_alerts(flow: Flow, deployment_id: int) -> list[dict[str, Any]]:
    return list(flow.api(f"/api/alerts?deployment_id={deployment_id}", "arthur"))


def _end_and_check(flow: Flow, deployment_id: int) -> None:
    """After the clip (the node wiped by itself): the end, the stop sent, then what the
    command line shows: every alert the node raised stored once, the wipe audited, the chain
    intact, and nothing on the node's disk."""
    wait_until(
        lambda: _audited(flow, "edge.snapshot.wiped", deployment_id),
        timeout=RUN_S,
        what="the node to play the clip and report its wipe",
    )
    # the clip played through: the camera is shown ended, and the public page says none runs
    wait_until(
        lambda: _camera_states(flow, deployment_id) == {"cam1": "ended"},
        what="cam1 shown ended",
    )
    status = re.findall(r'public-deployment-status">([^<]*)<', httpx.get(f"{flow.web}/public").text)
    assert "live, but none of its 1 camera is running now" in status, status
    ended = flow.cli("deployment", "end", str(deployment_id), user="olive")
    assert f"deployment {deployment_id} ended" in ended and "1 alert(s)" in ended, ended
    wait_until(lambda: _audited(flow, "edge.stop", deployment_id), what="the stop sent")

    listed = flow.cli("alert", "list", "--json", user="arthur")
    alerts = [json.loads(line) for line in listed.splitlines()]
    mine = [a for a in alerts if a["deployment_id"] == deployment_id]
    assert [(a["camera"], a["subject_reference"]) for a in mine] == [("cam1", LIN)], flow.logs()
    raised = flow.raised
    assert len(set(raised)) == len(raised)
    assert sorted(a["id"] for a in alerts) == sorted(raised), flow.logs()

    wiped = flow.cli("audit", "list", "--action", "edge.snapshot.wiped", "--json")
    wipes = [json.loads(line) for line in wiped.splitlines()]
    mine_wiped = [w for w in wipes if w["target"] == f"deployment:{deployment_id}"]
    assert [w["details"]["node"] for w in mine_wiped] == ["node1"], wiped
    delivered = _audited(flow, "edge.snapshot.delivered", deployment_id)
    assert [e["details"]["matches_go_live"] for e in delivered] == [True], flow.logs()
    assert "audit chain intact" in flow.cli("audit", "verify")
    assert list((flow.root / "node1-home").rglob("*")) == []
    _nothing_enrolled_in_memory(flow)
    # issue 21: the centre has everything, so the van's leaf keeps none of it
    wait_until(lambda: _kept_on_leaf(flow) == 0, what="the leaf's copies erased")
    assert "node1: on this machine's leaf server" in (flow.root / "node1.out").read_text()


def _camera_states(flow: Flow, deployment_id: int) -> dict[str, str]:
    cameras = flow.api(f"/api/cameras?deployment_id={deployment_id}", "olive")
    return {c["camera"]: c["state"] for c in cameras}


def _kept_on_leaf(flow: Flow) -> int:
    """The messages in node1's streams on its leaf server, read with its credentials."""
    assert flow.leaf is not None

    async def count() -> int:
        client = await connect(flow.leaf.url, read_credentials(flow.root / "node1.creds"))
        try:
            js = client.jetstream()
            return sum([(await js.stream_info(s)).state.messages for s in LEAF_STREAMS.values()])
        finally:
            await client.close()

    return asyncio.run(count())


def _nothing_enrolled_in_memory(flow: Flow) -> None:
    """Issue 21: once the node has wiped and the deployment ended, neither the node's process
    nor the centre's holds any enrolled descriptor or face image (read as root would)."""
    needles = enrolled_needles(flow.root / "centre")
    assert needles
    for name, process in (("node", flow.node), ("centre", flow.serve)):
        assert process is not None and process.poll() is None
        found = found_in_memory(process.pid, needles)
        places = [p for i in found for p in where_in_memory(process.pid, needles[i])]
        assert found == [], f"{len(found)} of {len(needles)} still in the {name}'s memory: {places}"


def test_the_readme_flow_on_three_machines_stores_the_alert_and_audits_the_wipe(
    flow: Flow,
) -> None:
    deployment_id = _go_live(flow)

    wait_until(lambda: _stored_alerts(flow, deployment_id), timeout=RUN_S, what="the alert stored")

    _end_and_check(flow, deployment_id)


def test_the_centre_killed_as_the_alert_is_raised_stores_it_once_after_a_restart(
    flow: Flow,
) -> None:
    before = len(flow.raised)
    deployment_id = _go_live(flow)
    wait_until(lambda: len(flow.raised) > before, timeout=RUN_S, what="the node's alert")
    assert flow.serve is not None
    flow.serve.send_signal(signal.SIGKILL)  # the alert is on its way: no clean-up of any kind
    flow.serve.wait(timeout=PATIENCE_S)

    flow.start_serve()  # the same data directory and port

    shown = flow.api(f"/api/deployments/{deployment_id}", "olive")
    assert shown["state"] == "live", shown
    assert flow.node is not None and flow.node.poll() is None  # the node was not affected
    wait_until(lambda: _stored_alerts(flow, deployment_id), timeout=RUN_S, what="the alert stored")
    _end_and_check(flow, deployment_id)
