"""A control centre and two edge node processes (``lfr edge run``) on a real nats-server, each
node with one camera playing the real clip at its own pace: exactly one alert for Lin-Manuel
Miranda per camera, stored once, each node's snapshot delivered (digest audited) and wiped
(audited), the audit chain intact, and nothing written on the nodes' side."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from lfr.access.services import Services
from lfr.events import InMemoryEventBus
from lfr.events.edge_credentials import centre_credentials
from lfr.governance import lifecycle as dep
from lfr.governance.edge_centre import EdgeCentre
from lfr.match.watchlist import Watchlist
from lfr.store.keys import key_dir
from lfr.store.tables import AlertRow
from tests.e2e.conftest import LIN
from tests.e2e.edge_helpers import NODES, bus, edge_node, live, store_watchlist
from tests.gov.conftest import OPERATOR
from tests.gov.factories import assert_chain_ok, audit_entries
from tests.waiting import wait_until

JPEG, JPEG_BASE64 = b"\xff\xd8\xff\xe0\x00\x10JFIF", b"/9j/4AAQSkZJRg"
"""How a face picture (a crop, an enrolled face) begins, raw and in base64."""
RUN_S = 600.0
"""Two processes load the models and play the clip (9 s) at its pace on a shared machine."""


def test_two_nodes_each_raise_one_alert_for_lin_stored_once_and_wipe_their_snapshots(
    centre: Services, watchlist: Watchlist, tmp_path: Path
) -> None:
    services = centre
    server, creds = bus(services, tmp_path)  # the nodes registered first: go-live checks
    deployment_id = live(services, store_watchlist(services, watchlist))
    edge = EdgeCentre(
        services, InMemoryEventBus(), server.url, centre_credentials(key_dir(services.data_dir))
    )
    edge.start()
    nodes = {
        n: edge_node(tmp_path / f"home-{n}", server.url, creds[n], tmp_path / f"home-{n}.out")
        for n in NODES
    }
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
