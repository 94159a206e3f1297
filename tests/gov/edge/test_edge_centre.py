"""The centre's link to the nodes (``lfr.edge.centre.link``): a node's alert, over a real
nats-server, is stored and announced on the in-process bus (what the live alert stream and
/metrics read), once; alerts raised while the centre is down arrive after it starts again.

SQLite only: this is the consumer loop around the alert intake (stored once, announced once);
the intake's own SQL, the duplicate refused by the unique key included, runs on both backends in
test_edge_intake.py.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lfr.access.services import Services
from lfr.api.config import WebConfig
from lfr.app import build_control_centre
from lfr.config import Settings
from lfr.edge import protocol as proto
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.centre.nodes import add_node, crop_key, remove_node
from lfr.edge.centre.registry import served_nodes
from lfr.edge.jetstream import send_command
from lfr.edge.leaf import leaf_api
from lfr.edge.node.link import NodeHandlers, run_node_link
from lfr.edge.protocol import StartCommand
from lfr.edge.wire.alerts import alert_message, send_alert_up
from lfr.events import InMemoryEventBus, topics
from lfr.governance.deployments import lifecycle as dep
from lfr.store.tables import AlertRow
from tests.gov.conftest import ADMIN, AUTHORISER, OPERATOR
from tests.gov.edge_bus import Bus, start_bus
from tests.gov.factories import (
    CAMERA_URL,
    add_watchlist,
    assert_chain_ok,
    count,
    live,
    make_alert,
    make_plan,
    with_clock,
)
from tests.waiting import PATIENCE_S, wait_until

pytestmark = pytest.mark.backends("sqlite")


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


def _publish(bus: Bus, crops: bytes, deployment_id: int, alert_id: str) -> None:
    async def send() -> None:
        key = base64.b64decode(bus.node.key)
        message = alert_message("node1", deployment_id, make_alert(alert_id), crops)
        async with bus.client(bus.node) as (_, js):
            await send_alert_up(js, message, key)

    asyncio.run(send())


def _announced(events: InMemoryEventBus) -> list[str]:
    return [event.id for event in events.recent((topics.ALERT,))]


def test_node_alerts_are_stored_announced_once_and_resumed_after_a_restart(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock, cameras={"van-front": f"{CAMERA_URL}@node1"})
    crops = crop_key(svc, "node1", deployment_id)
    events = InMemoryEventBus()
    centre = EdgeCentre(svc, events, bus.server.url, bus.centre)
    centre.start()
    try:
        _publish(bus, crops, deployment_id, "edge-alert-1")
        wait_until(lambda: _announced(events) == ["edge-alert-1"], what="the alert announced")
    finally:
        centre.stop()
    _publish(bus, crops, deployment_id, "edge-alert-2")  # the centre is down
    _publish(bus, crops, deployment_id, "edge-alert-1")  # a node retrying after a lost ack

    restarted = EdgeCentre(svc, events, bus.server.url, bus.centre)
    restarted.start()
    try:
        wait_until(lambda: "edge-alert-2" in _announced(events), what="the second alert")
    finally:
        restarted.stop()
    assert _announced(events) == ["edge-alert-1", "edge-alert-2"]
    assert count(svc, AlertRow) == 2
    first = events.recent((topics.ALERT,))[0]
    assert first.data["deployment_id"] == deployment_id and "engine_latency_s" in first.data
    assert "store_s" not in first.data  # the test alert carries no raised time: unknown
    assert_chain_ok(svc)


def test_lfr_serve_with_nats_stores_and_announces_a_node_alert(
    services: Services, settings: Settings, bus: Bus
) -> None:
    deployment_id = _live_now(services)  # the real centre's schedule ends one out of window
    svc = services
    centre = build_control_centre(
        settings, WebConfig(session_key=b"k" * 32), {}, nats_url=bus.server.url
    )
    assert centre.edge is not None
    centre.start()
    try:
        _publish(bus, crop_key(svc, "node1", deployment_id), deployment_id, "edge-alert-1")
        wait_until(lambda: count(svc, AlertRow) == 1, what="the alert stored")
        wait_until(lambda: bool(centre.bus.recent((topics.ALERT,))), what="the alert announced")
    finally:
        centre.stop()


def _live_now(services: Services) -> int:
    now = datetime.now(UTC)
    svc, clock = with_clock(services, now - timedelta(hours=1))
    plan = make_plan(
        add_watchlist(svc, name="wl-now"),
        cameras={"van-front": f"{CAMERA_URL}@node1"},
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
    )
    deployment_id = dep.plan_deployment(svc, OPERATOR, plan)
    dep.authorise(svc, AUTHORISER, deployment_id, "intelligence case 41")
    dep.confirm_signage(svc, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    clock.now = now
    dep.start(svc, OPERATOR, deployment_id)
    return deployment_id


def _served(bus: Bus) -> set[str]:
    async def ask() -> set[str]:
        async with bus.client(bus.centre) as (_, js):
            return await served_nodes(js)

    return asyncio.run(ask())


def _sourced(bus: Bus) -> set[str]:
    """The nodes whose leaves the hub's alert stream copies from."""

    async def ask() -> set[str]:
        async with bus.client(bus.centre) as (_, js):
            info = await js.stream_info(proto.ALERTS_STREAM)
            apis = {s.external.api for s in info.config.sources or () if s.external}
            return {node for node in ("node1", "node2") if leaf_api(node) in apis}

    return asyncio.run(ask())


def _waiting_for(bus: Bus, node: str) -> int:
    async def ask() -> int:
        async with bus.client(bus.centre) as (_, js):
            info = await js.stream_info(
                proto.DOWN_STREAM, subjects_filter=proto.down_subjects(node)
            )
            return sum((info.state.subjects or {}).values())

    return asyncio.run(ask())


def _queue_start(bus: Bus, node: str) -> None:
    async def send() -> None:
        async with bus.client(bus.centre) as (_, js):
            await send_command(js, node, StartCommand(99, ("cam1=clip.mp4",), 0.0, 0.6))

    asyncio.run(send())


def test_nodes_added_or_removed_while_the_centre_runs_are_served_or_dropped(
    services: Services, bus: Bus
) -> None:
    centre = EdgeCentre(
        services, InMemoryEventBus(), bus.server.url, bus.centre, follow_nodes_every_s=0.2
    )
    centre.start()
    try:
        assert _served(bus) == {"node1"}
        add_node(services, ADMIN, "node2")  # no restart of the centre
        wait_until(lambda: _served(bus) == {"node1", "node2"}, what="node2 served")
        wait_until(lambda: _sourced(bus) == {"node1", "node2"}, what="node2's leaf copied")
        _queue_start(bus, "node1")  # a command (with its sealed snapshot) waiting for node1
        assert _waiting_for(bus, "node1") == 1
        remove_node(services, ADMIN, "node1")
        wait_until(lambda: _served(bus) == {"node2"}, what="node1 no longer served")
        wait_until(lambda: _sourced(bus) == {"node2"}, what="node1's leaf no longer copied")
        assert _waiting_for(bus, "node1") == 0  # nothing left on the bus for it
    finally:
        centre.stop()


def test_a_nodes_outbox_losses_reach_the_centre_with_its_heartbeat(
    services: Services, bus: Bus
) -> None:
    """Over the real server: the node's link sends (dropped, refused) each second; the centre
    puts them on its in-process bus, where the health board and /metrics read them."""
    events = InMemoryEventBus()
    centre = EdgeCentre(services, events, bus.server.url, bus.centre)
    centre.start()
    handlers = NodeHandlers(lambda _: None, lambda _: None, tuple, lambda: (12, 3))

    async def link_until_heard() -> None:
        stop = asyncio.Event()
        link = asyncio.create_task(run_node_link(bus.server.url, bus.node, handlers, stop))
        deadline = asyncio.get_running_loop().time() + PATIENCE_S
        while not events.recent((topics.NODE,)):
            assert asyncio.get_running_loop().time() < deadline, "no heartbeat heard"
            await asyncio.sleep(0.05)
        stop.set()
        await link

    try:
        asyncio.run(link_until_heard())
    finally:
        centre.stop()
    beat = events.recent((topics.NODE,))[-1].data
    assert (beat["node"], beat["outbox_dropped"], beat["outbox_refused"]) == ("node1", 12, 3)
