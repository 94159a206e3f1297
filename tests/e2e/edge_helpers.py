"""What the edge-node e2e tests share: a governed watchlist built from the enrolled faces, a
live deployment with one camera on each node, and the nodes registered on a real nats-server
(``test_edge_nodes``, ``test_edge_faults``)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from lfr.access.services import Services, utc_now
from lfr.app import build_services
from lfr.cli import main
from lfr.cli.fleet.edge_run import raised_alert_ids as raised_in
from lfr.config import EngineConfig, Settings
from lfr.edge.centre.nodes import add_node
from lfr.edge.credentials.files import write_credentials
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import DEFAULT_CATEGORIES
from lfr.governance.watchlists.entries import active_templates
from lfr.match.watchlist import Watchlist
from lfr.store.sealing import entry_owner, seal_image, seal_vector
from lfr.store.tables import EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow
from tests.e2e.conftest import CLIP, REPO
from tests.gov.conftest import ADMIN, AUTHORISER, MANAGER, OPERATOR
from tests.gov.edge_bus import start_server
from tests.gov.factories import make_plan
from tests.nats_server import NatsServer, free_port

NODES = ("node1", "node2")


def store_watchlist(services: Services, watchlist: Watchlist) -> int:
    """The enrolled identities as a governed watchlist (one entry per subject)."""
    now = services.clock()
    with services.transaction() as session:
        row = WatchlistRow(name="hamilton", created_at=now, created_by=MANAGER.username)
        session.add(row)
        session.flush()
        entries: dict[str, WatchlistEntry] = {}
        for index in range(watchlist.size):
            template = watchlist.template(index)
            reference = template.subject.reference
            if reference not in entries:
                entries[reference] = WatchlistEntry(
                    watchlist_id=row.id,
                    reference=reference,
                    display_name=reference.replace("_", " ").title(),
                    category=DEFAULT_CATEGORIES[0],
                    reason="wanted on warrant",
                    image_source="custody record",
                    added_by=MANAGER.username,
                    added_at=now,
                    expires_at=now + timedelta(days=10),
                )
                session.add(entries[reference])
            owner = entry_owner(row.id, reference)
            name = template.image_name
            entries[reference].images.append(
                EntryImage(
                    image_name=name,
                    contract=asdict(template.contract),
                    template_enc=seal_vector(
                        services.cipher, template.embedding, "entry", owner, name
                    ),
                    face_jpeg_enc=seal_image(
                        services.cipher, template.face_jpeg, "entry", owner, name
                    ),
                )
            )
        return row.id


def live(services: Services, watchlist_id: int, nodes: tuple[str, ...] = NODES) -> int:
    """A deployment with cam1 on node1 and cam2 on node2 (of ``nodes``), each playing the
    clip, gone live."""
    now = datetime.now(UTC)
    plan = make_plan(
        watchlist_id,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        threshold=EngineConfig().alert.threshold,
        cameras={f"cam{i}": f"{CLIP}@{node}" for i, node in enumerate(nodes, start=1)},
    )
    deployment_id = dep.plan_deployment(services, OPERATOR, plan)
    dep.authorise(services, AUTHORISER, deployment_id, "intelligence case 41")
    dep.confirm_signage(services, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    dep.start(services, OPERATOR, deployment_id)
    return deployment_id


def bus(
    services: Services, tmp_path: Path, leaf_port: int | None = None
) -> tuple[NatsServer, dict[str, Path]]:
    """``NODES`` registered (credentials files under ``tmp_path``), then a nats-server
    configured for them (and for leaf servers on ``leaf_port``) and started; the caller stops
    it."""
    creds = {}
    for node in NODES:
        creds[node] = tmp_path / f"{node}.creds"
        write_credentials(creds[node], add_node(services, ADMIN, node))
    return start_server(services, tmp_path, leaf_port), creds


def leaf_server(folder: Path, creds: Path, hub_leaf_port: int) -> NatsServer:
    """An edge machine's own server (not started), configured by the command an operator runs
    there; its store under ``folder``."""
    folder.mkdir(exist_ok=True)
    port, config = free_port(), folder / "leaf.conf"
    args = ["nats", "leaf-config", "--creds", str(creds), "--out", str(config)]
    args += ["--hub", f"nats-leaf://127.0.0.1:{hub_leaf_port}", "--port", str(port)]
    assert main([*args, "--store-dir", str(folder / "leaf-store")]) == 0
    return NatsServer(config, port, folder / "leaf.log")


def edge_node(
    home: Path,
    url: str,
    creds: Path,
    out: Path,
    *options: str,
) -> subprocess.Popen[bytes]:
    """``lfr edge run`` in a world of its own (HOME, TMPDIR, cwd, data dir: ``home``, which
    must stay empty); its output to ``out``, outside ``home``, where it says the id of each
    alert it raises (``raised_alert_ids``)."""
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "TMPDIR": str(home),
        "LFR_DATA_DIR": str(home),
        "PYTHONPATH": str(REPO / "src"),
    }
    command = [sys.executable, "-m", "lfr", "edge", "run", "--nats", url, "--creds", str(creds)]
    with out.open("wb") as log:
        return subprocess.Popen(
            [*command, *options], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
        )


def raised_alert_ids(*outputs: Path) -> list[str]:
    """The ids of the alerts ``lfr edge run`` said it raised, in order, over its outputs (one
    per start); none from an output not written yet."""
    return [i for out in outputs if out.exists() for i in raised_in(out.read_text())]


def enrolled_needles(centre_dir: Path) -> list[bytes]:
    """What a wipe must leave nowhere in memory: each enrolled descriptor (float32 bytes) and
    the middle 64 bytes of each enrolled face image, read from the centre's own database."""
    services = build_services(Settings(data_dir=centre_dir), {})
    try:
        with services.transaction() as session:
            ids = session.scalars(select(WatchlistRow.id)).all()
            templates = [
                t
                for watchlist_id in ids
                for _, t in active_templates(session, services.cipher, watchlist_id, utc_now())
            ]
    finally:
        services.db.dispose()
    vectors = [np.asarray(t.embedding, np.float32).tobytes() for t in templates]
    jpegs = [bytes(t.face_jpeg[len(t.face_jpeg) // 2 :][:64]) for t in templates]
    return vectors + jpegs
