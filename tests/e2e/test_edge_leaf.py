"""A node on its own leaf server (issue 9, point 6): ``lfr edge run`` connected to the edge
machine's nats-server (``lfr nats leaf-config``), a leaf of the centre's hub. The link is cut
(the hub stopped) once the node has its snapshot; the node raises its alert for Lin-Manuel
Miranda while cut off and is then killed (-9), so the alert exists only in the leaf's store.
When the hub is back, the alert is stored at the centre exactly once, and the chain verifies."""

from __future__ import annotations

import asyncio
import base64
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.centre.nodes import add_node
from lfr.edge.credentials.files import centre_credentials, read_credentials, write_credentials
from lfr.edge.jetstream import connect
from lfr.edge.leaf import LEAF_STREAMS, ensure_leaf_streams
from lfr.edge.wire.alerts import alert_message, send_alert_up
from lfr.edge.wire.mac import MAC_HEADER, message_mac
from lfr.events import InMemoryEventBus
from lfr.events.topics import CameraCounts
from lfr.match.watchlist import Watchlist
from lfr.store.keys import key_dir
from lfr.store.tables import AlertRow, Deployment, EdgeNode
from tests.e2e.edge_helpers import edge_node, leaf_server, live, raised_alert_ids, store_watchlist
from tests.gov.conftest import ADMIN
from tests.gov.edge_bus import start_server
from tests.gov.factories import assert_chain_ok, audit_entries, make_alert
from tests.nats_server import NatsServer, free_port
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
    with _hub_and_leaf(centre, tmp_path, creds) as (hub, leaf):
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
            wait_until(
                lambda: "link to the centre lost" in alerts.read_text(),
                what="node1 to say its link is lost",
            )
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
            # issue 21: once stored at the centre, the van's copy is erased
            wait_until(lambda: _kept_on_leaf(leaf.url, creds) == 0, what="the leaf's copy erased")
            assert list((tmp_path / "home-node1").rglob("*")) == []  # nothing on the node's disk
            delivered = audit_entries(centre, "edge.snapshot.delivered")
            assert [e.details["node"] for e in delivered] == ["node1"]
            assert_chain_ok(centre)
        finally:
            if node.poll() is None:
                node.kill()


@contextmanager
def _hub_and_leaf(
    centre: Services, tmp_path: Path, creds: Path
) -> Iterator[tuple[NatsServer, NatsServer]]:
    """The centre's hub (with a leaf port), node1's leaf server on it, and the centre's edge
    link running; all stopped after."""
    hub_leaf_port = free_port()
    hub = start_server(centre, tmp_path, leaf_port=hub_leaf_port)
    leaf = leaf_server(tmp_path, creds, hub_leaf_port)
    leaf.start()
    edge = EdgeCentre(
        centre, InMemoryEventBus(), hub.url, centre_credentials(key_dir(centre.data_dir))
    )
    edge.start()
    try:
        yield hub, leaf
    finally:
        edge.stop()
        leaf.stop()
        hub.stop()


def _counts(node: str, deployment_id: int, camera: str, frames: int) -> CameraCounts:
    return CameraCounts(node, deployment_id, camera, frames, 0, 0, 0, 0, 10.0, time.time())


def _frames(services: Services, deployment_id: int) -> int:
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        return row.frames if row is not None else -1


async def _forge_on_own_leaf(url: str, creds: Path, deployment_id: int) -> None:
    """As node1 on its own leaf (issue 21, forgery B): node2's subjects added to its leaf's
    streams and an alert and counts published there as node2's, tagged with node1's key (the
    only key it has); then node1's own counts for cam1."""
    node1 = read_credentials(creds)
    key = base64.b64decode(node1.key)
    client = await connect(url, node1, reconnect=False)
    try:
        js = client.jetstream()
        await ensure_leaf_streams(js, "node1")
        for hub_stream, kind in (("LFR_ALERTS", "alert"), ("LFR_COUNTS", "counts")):
            info = await js.stream_info(LEAF_STREAMS[hub_stream])
            subjects = [*(info.config.subjects or []), f"lfr.up.node2.{kind}.>"]
            await js.update_stream(replace(info.config, subjects=subjects))
        forged = alert_message("node2", deployment_id, make_alert("forged-b", camera="cam2"), key)
        await send_alert_up(js, forged, key)
        theirs = proto.counts_subject("node2", deployment_id, "cam2")
        payload = proto.encode(_counts("node2", deployment_id, "cam2", 5000))
        await js.publish(theirs, payload, headers={MAC_HEADER: message_mac(key, theirs, payload)})
        own = proto.counts_subject("node1", deployment_id, "cam1")
        payload = proto.encode(_counts("node1", deployment_id, "cam1", 120))
        await js.publish(own, payload, headers={MAC_HEADER: message_mac(key, own, payload)})
    finally:
        await client.close()


def _on_hub(url: str, data_dir: Path, subject: str) -> int:
    """Messages on ``subject`` in the hub's streams, read as the centre."""

    async def count() -> int:
        client = await connect(url, centre_credentials(key_dir(data_dir)), reconnect=False)
        try:
            js = client.jetstream()
            total = 0
            for stream in (proto.ALERTS_STREAM, proto.COUNTS_STREAM):
                info = await js.stream_info(stream, subjects_filter=subject)
                total += sum((info.state.subjects or {}).values())
            return total
        finally:
            await client.close()

    return asyncio.run(count())


def test_a_node_cannot_pass_its_leafs_messages_off_as_another_nodes(
    centre: Services, watchlist: Watchlist, tmp_path: Path
) -> None:
    creds = tmp_path / "node1.creds"
    write_credentials(creds, add_node(centre, ADMIN, "node1"))
    add_node(centre, ADMIN, "node2")  # registered, its van elsewhere (no leaf here)
    with _hub_and_leaf(centre, tmp_path, creds) as (hub, leaf):
        deployment_id = live(centre, store_watchlist(centre, watchlist), nodes=("node1", "node2"))
        wait_until(lambda: len(audit_entries(centre, "edge.start")) == 2, what="both starts")
        asyncio.run(_forge_on_own_leaf(leaf.url, creds, deployment_id))
        # node1's own counts, published after the forged counts on the same leaf stream,
        # cross to the centre: the hub's copy works and has passed over what came before ...
        wait_until(lambda: _frames(centre, deployment_id) == 120, timeout=60, what="own counts")
        time.sleep(3)  # ... and the forged alert (another stream) had time to follow: none did
        assert _on_hub(hub.url, centre.data_dir, "lfr.up.node2.>") == 0
        assert _frames(centre, deployment_id) == 120
        assert _stored(centre) == []
        assert_chain_ok(centre)
