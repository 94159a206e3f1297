"""A node on its own leaf server (issue 9, point 6): ``lfr edge run`` connected to the edge
machine's nats-server (``lfr nats leaf-config``), a leaf of the centre's hub. The link is cut
(the hub stopped) once the node has its snapshot; the node raises its alert for Lin-Manuel
Miranda while cut off and is then killed (-9), so the alert exists only in the leaf's store.
When the hub is back, the alert is stored at the centre exactly once, and the chain verifies."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy import select

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.centre.nodes import add_node
from lfr.edge.credentials.files import centre_credentials, read_credentials, write_credentials
from lfr.edge.jetstream import connect
from lfr.edge.leaf import LEAF_STREAMS
from lfr.events import InMemoryEventBus
from lfr.match.watchlist import Watchlist
from lfr.store.keys import key_dir
from lfr.store.tables import AlertRow, EdgeNode
from tests.e2e.edge_helpers import edge_node, leaf_server, live, raised_alert_ids, store_watchlist
from tests.gov.conftest import ADMIN
from tests.gov.edge_bus import start_server
from tests.gov.factories import assert_chain_ok, audit_entries
from tests.nats_server import free_port
from tests.waiting import wait_until

RUN_S = 300.0
"""The node loads the models and plays the clip at its pace on a shared machine."""
JPEG = b"\xff\xd8\xff"


def _last_seen(services: Services) -> object:
    with services.transaction() as session:
        return session.scalar(select(EdgeNode.last_seen_at).where(EdgeNode.name == "node1"))


def _kept_on_leaf(url: str, creds: Path) -> int:
    """The alerts in the node's stream on its leaf server."""

    async def count() -> int:
        client = await connect(url, read_credentials(creds), reconnect=False)
        try:
            info = await client.jetstream().stream_info(LEAF_STREAMS[proto.ALERTS_STREAM])
            return int(info.state.messages)
        finally:
            await client.close()

    return asyncio.run(count())


def _stored(services: Services) -> list[str]:
    with services.transaction() as session:
        return list(session.scalars(select(AlertRow.id)))


def test_an_alert_raised_while_cut_off_survives_the_node_being_killed(
    centre: Services, watchlist: Watchlist, tmp_path: Path
) -> None:
    creds = tmp_path / "node1.creds"
    write_credentials(creds, add_node(centre, ADMIN, "node1"))
    hub_leaf_port = free_port()
    hub = start_server(centre, tmp_path, leaf_port=hub_leaf_port)
    leaf = leaf_server(tmp_path, creds, hub_leaf_port)
    leaf.start()
    edge = EdgeCentre(
        centre, InMemoryEventBus(), hub.url, centre_credentials(key_dir(centre.data_dir))
    )
    edge.start()
    live(centre, store_watchlist(centre, watchlist), nodes=("node1",))
    node = edge_node(tmp_path / "home-node1", leaf.url, creds, tmp_path / "node1.out")
    alerts = tmp_path / "node1.out"
    try:
        wait_until(
            lambda: audit_entries(centre, "edge.snapshot.delivered"),
            timeout=RUN_S,
            what="the snapshot on node1",
        )
        # its heartbeats cross the leaf connection too: the centre sees it online
        wait_until(lambda: _last_seen(centre) is not None, what="node1's heartbeat")
        hub.stop()  # the link is down from here
        wait_until(lambda: raised_alert_ids(alerts), timeout=RUN_S, what="node1's alert")
        # on the leaf's disk (published there within milliseconds of being raised)
        wait_until(lambda: _kept_on_leaf(leaf.url, creds) == 1, what="the alert on the leaf")
        node.send_signal(signal.SIGKILL)
        node.wait(timeout=30)
        assert _stored(centre) == []  # the alert is nowhere but in the leaf's store
        store = b"".join(p.read_bytes() for p in (tmp_path / "leaf-store").rglob("*.blk"))
        assert store and JPEG not in store  # kept, encrypted, crops sealed

        hub.start()
        wait_until(lambda: _stored(centre), timeout=60, what="the alert at the centre")
        said = (tmp_path / "node1.out").read_text()
        assert "node1: on this machine's leaf server" in said
        raised = raised_alert_ids(alerts)
        assert len(raised) == 1, said
        wait_until(lambda: _stored(centre) == raised, timeout=10, what="stored once")
        assert list((tmp_path / "home-node1").rglob("*")) == []  # nothing on the node's disk
        delivered = audit_entries(centre, "edge.snapshot.delivered")
        assert [e.details["node"] for e in delivered] == ["node1"]
        assert_chain_ok(centre)
    finally:
        if node.poll() is None:
            node.kill()
        edge.stop()
        leaf.stop()
        hub.stop()
