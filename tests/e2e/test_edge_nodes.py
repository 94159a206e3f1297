"""A control centre and two edge node processes (``lfr edge run``) on a real nats-server, each
node with one camera playing the real clip at its own pace: exactly one alert for Lin-Manuel
Miranda per camera, stored once, each node's snapshot delivered (digest audited) and wiped
(audited), the audit chain intact, and nothing written on the nodes' side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.app import build_services, init_data_dir
from lfr.config import EngineConfig, Settings
from lfr.events import InMemoryEventBus
from lfr.events.edge_credentials import centre_credentials, write_credentials
from lfr.governance import lifecycle as dep
from lfr.governance.edge_centre import EdgeCentre
from lfr.governance.edge_nodes import add_node
from lfr.governance.policy import DEFAULT_CATEGORIES
from lfr.match.watchlist import Watchlist
from lfr.store.keys import key_dir
from lfr.store.sealing import entry_owner, seal_image, seal_vector
from lfr.store.tables import AlertRow, EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow
from tests.e2e.conftest import CLIP, LIN, REPO
from tests.gov.conftest import ADMIN, AUTHORISER, MANAGER, OPERATOR
from tests.gov.edge_bus import start_server
from tests.gov.factories import assert_chain_ok, audit_entries, make_plan
from tests.nats_server import NatsServer
from tests.waiting import wait_until

NODES = ("node1", "node2")
JPEG, JPEG_BASE64 = b"\xff\xd8\xff\xe0\x00\x10JFIF", b"/9j/4AAQSkZJRg"
"""How a face picture (a crop, an enrolled face) begins, raw and in base64."""
RUN_S = 600.0
"""Two processes load the models and play the clip (9 s) at its pace on a shared machine."""


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "centre", database_url=None)
    init_data_dir(settings)
    services = replace(build_services(settings, {}), media_dirs=(CLIP.parent,))
    yield services
    services.db.dispose()


def _store_watchlist(services: Services, watchlist: Watchlist) -> int:
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


def _live(services: Services, watchlist_id: int) -> int:
    now = datetime.now(UTC)
    plan = make_plan(
        watchlist_id,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        threshold=EngineConfig().alert.threshold,
        cameras={"cam1": f"{CLIP}@node1", "cam2": f"{CLIP}@node2"},
    )
    deployment_id = dep.plan_deployment(services, OPERATOR, plan)
    dep.authorise(services, AUTHORISER, deployment_id, "intelligence case 41")
    dep.confirm_signage(services, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    dep.start(services, OPERATOR, deployment_id)
    return deployment_id


def _bus(services: Services, tmp_path: Path) -> tuple[NatsServer, dict[str, Path]]:
    creds = {}
    for node in NODES:
        creds[node] = tmp_path / f"{node}.creds"
        write_credentials(creds[node], add_node(services, ADMIN, node))
    return start_server(services, tmp_path), creds


def _node(url: str, creds: Path, home: Path) -> subprocess.Popen[bytes]:
    """``lfr edge run`` in a world of its own (HOME, TMPDIR, cwd): it must write nothing."""
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home), "LFR_DATA_DIR": str(home)}
    with (home.parent / f"{home.name}.out").open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "lfr", "edge", "run", "--nats", url, "--creds", str(creds)],
            cwd=home,
            env={**env, "PYTHONPATH": str(REPO / "src")},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_two_nodes_each_raise_one_alert_for_lin_stored_once_and_wipe_their_snapshots(
    centre: Services, watchlist: Watchlist, tmp_path: Path
) -> None:
    services = centre
    server, creds = _bus(services, tmp_path)  # the nodes registered first: go-live checks
    deployment_id = _live(services, _store_watchlist(services, watchlist))
    edge = EdgeCentre(
        services, InMemoryEventBus(), server.url, centre_credentials(key_dir(services.data_dir))
    )
    edge.start()
    nodes = {n: _node(server.url, creds[n], tmp_path / f"home-{n}") for n in NODES}
    try:
        wait_until(
            lambda: len(audit_entries(services, "edge.snapshot.wiped")) == 2,
            timeout=RUN_S,
            what="both nodes to play the clip and wipe",
        )
        dep.end(services, OPERATOR, deployment_id, "operation over")
        wait_until(lambda: len(audit_entries(services, "edge.stop")) == 2, what="the stops")
    finally:
        for process in nodes.values():
            process.send_signal(signal.SIGTERM)
        codes = {n: p.wait(timeout=120) for n, p in nodes.items()}
        edge.stop()
        server.stop()
    logs = {n: (tmp_path / f"home-{n}.out").read_text(errors="replace") for n in NODES}
    assert codes == {"node1": 0, "node2": 0}, logs
    with services.transaction() as session:
        alerts = list(session.scalars(select(AlertRow)))
    assert Counter((a.camera, a.subject_reference) for a in alerts) == {
        ("cam1", LIN): 1,
        ("cam2", LIN): 1,
    }, logs
    delivered = audit_entries(services, "edge.snapshot.delivered")
    assert sorted(e.details["node"] for e in delivered) == list(NODES)
    assert all(e.details["matches_go_live"] for e in delivered)
    wiped = audit_entries(services, "edge.snapshot.wiped")
    assert sorted(e.details["node"] for e in wiped) == list(NODES)
    for node in NODES:  # nothing on a node's disk
        assert list((tmp_path / f"home-{node}").rglob("*")) == [], node
    for stored in (tmp_path / "jetstream").rglob("*"):  # the bus kept no picture in clear
        if stored.is_file():
            body = stored.read_bytes()
            assert JPEG not in body and JPEG_BASE64 not in body, stored
    assert_chain_ok(services)
