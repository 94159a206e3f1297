"""The centre commands its nodes (``lfr.edge.centre.commands`` run by ``edge_centre``), over
a real nats-server: a deployment with a camera ``@node1`` going live sends node1 a start command
with its cameras, its window and the snapshot sealed for node1 and that deployment; ending it
sends a stop; both audited, each sent once. The node's snapshot reports, counts and heartbeats
come back into the store, the audit log and the health board."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import select

from lfr.access.services import Services
from lfr.centre.camera_port import GovernedDeployments
from lfr.edge import protocol as proto
from lfr.edge.centre import commands as edge_commands
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.centre.nodes import add_node, crop_key
from lfr.edge.node.link import NodeHandlers, run_node_link
from lfr.edge.protocol import Heartbeat, NodeReport, StartCommand, StopCommand
from lfr.edge.wire.mac import MAC_HEADER, message_mac
from lfr.edge.wire.snapshot import SealedSnapshot, open_snapshot
from lfr.errors import StateError
from lfr.events import InMemoryEventBus
from lfr.events.health import HealthBoard
from lfr.events.topics import CameraCounts
from lfr.governance.deployments import lifecycle as dep
from lfr.store.tables import EdgeNode, EdgeRun
from tests.gov.conftest import ADMIN, OPERATOR
from tests.gov.edge_bus import Bus, start_bus
from tests.gov.factories import (
    CAMERA_URL,
    ENDS,
    assert_chain_ok,
    audit_count,
    audit_entries,
    deployment_row,
    live,
    ready,
    with_clock,
)
from tests.waiting import wait_until

NODE_CAMERA = "rtsp://cam.example/front@node1"
PATIENCE_S = 30.0


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


@pytest.fixture
def centre_and_services(services: Services, bus: Bus) -> Iterator[tuple[Services, int, Bus]]:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock, cameras={"van-front": CAMERA_URL, "cam1": NODE_CAMERA})
    centre = EdgeCentre(svc, InMemoryEventBus(), bus.server.url, bus.centre)
    centre.start()
    try:
        yield svc, deployment_id, bus
    finally:
        centre.stop()


async def _until(condition: object, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + PATIENCE_S
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {PATIENCE_S:.0f} s")
        await asyncio.sleep(0.05)


def test_going_live_sends_the_node_its_cameras_window_and_sealed_snapshot_and_ending_stops_it(
    centre_and_services: tuple[Services, int, Bus],
) -> None:
    svc, deployment_id, bus = centre_and_services
    commands: list[StartCommand | StopCommand] = []
    handlers = NodeHandlers(commands.append, commands.append, lambda: ())

    async def scenario() -> None:
        stop = asyncio.Event()
        link = asyncio.create_task(run_node_link(bus.server.url, bus.node, handlers, stop))
        await _until(lambda: len(commands) == 1, "the start command")
        await asyncio.to_thread(dep.end, svc, OPERATOR, deployment_id, "operation over")
        await _until(lambda: len(commands) == 2, "the stop command")
        stop.set()
        await link

    asyncio.run(scenario())
    start, halt = commands
    assert isinstance(start, StartCommand) and isinstance(halt, StopCommand)
    assert start.deployment_id == halt.deployment_id == deployment_id
    assert start.cameras == ("cam1=rtsp://cam.example/front",)  # only node1's, no suffix
    assert start.ends_at == ENDS.timestamp()
    sealed = SealedSnapshot(start.snapshot_key, start.snapshot)
    opened = open_snapshot(base64.b64decode(bus.node.key), "node1", deployment_id, sealed)
    assert opened.watchlist.digest() == deployment_row(svc, deployment_id).snapshot_digest
    assert bytes(opened.crop_key) == crop_key(svc, "node1", deployment_id)
    assert bytes(opened.crop_key) != base64.b64decode(bus.node.key)  # not the node's own key
    assert "deployment ended" in halt.reason
    [sent] = audit_entries(svc, "edge.start")
    assert sent.details["node"] == "node1" and sent.details["cameras"] == ["cam1"]
    assert [e.details["node"] for e in audit_entries(svc, "edge.stop")] == ["node1"]
    assert_chain_ok(svc)


def test_cameras_on_a_node_do_not_run_in_lfr_serve(services: Services) -> None:
    svc, clock = with_clock(services)
    add_node(svc, ADMIN, "node1")
    deployment_id = live(svc, clock, cameras={"van-front": CAMERA_URL, "cam1": NODE_CAMERA})
    run = GovernedDeployments(svc).open_run(OPERATOR, deployment_id)
    assert set(run.cameras) == {"van-front"}


def test_going_live_is_refused_while_a_camera_names_an_unregistered_node(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock, cameras={"cam1": "rtsp://cam.example/front@node9"})
    entries = audit_count(svc)
    with pytest.raises(StateError, match="no edge node named node9"):
        dep.start(svc, OPERATOR, deployment_id)
    assert audit_count(svc) == entries
    assert deployment_row(svc, deployment_id).state == "authorised"


def test_a_node_whose_heartbeats_stop_naming_a_deployment_is_sent_its_start_again(
    services: Services,
) -> None:
    """A restarted node runs nothing and says so each second: after RESEND_AFTER_S the
    centre sends the start again (a new message id, so JetStream keeps it), audited, with
    where its video file had got to; and the node's second delivery is audited too (a copy
    of a report redelivered is not)."""
    svc, clock = with_clock(services)
    add_node(svc, ADMIN, "node1")
    deployment_id = live(svc, clock, cameras={"cam1": NODE_CAMERA, "cam2": NODE_CAMERA})
    [first] = edge_commands.pending_starts(svc)
    assert first.command.resume == ()
    edge_commands.start_sent(svc, first)
    t0 = time.time()
    delivered = NodeReport("node1", deployment_id, "received", first.digest, t0)
    for _ in range(2):  # the second: JetStream's redelivery of the same report
        edge_commands.take_report(svc, "node1", delivered)
    edge_commands.take_counts(svc, "node1", replace(_counts(deployment_id, 150, 1), position=153))

    def beat(after_s: float, *running: int) -> list[edge_commands.NodeStart]:
        edge_commands.take_heartbeat(svc, "node1", Heartbeat("node1", t0 + after_s, running))
        return edge_commands.pending_starts(svc)

    assert beat(1, deployment_id) == []  # it runs
    assert beat(2) == []  # restarted: running nothing, since 2 s
    assert beat(2 + edge_commands.RESEND_AFTER_S - 1) == []
    [again] = beat(2 + edge_commands.RESEND_AFTER_S)
    assert (again.attempt, again.msg_id) == (1, f"start-{deployment_id}-node1-1")
    assert again.msg_id != first.msg_id and again.command.snapshot  # sealed afresh
    assert again.command.resume == ("cam1=153",)  # cam2 never reported a position
    edge_commands.start_sent(svc, again)
    assert edge_commands.pending_starts(svc) == []
    [audited] = audit_entries(svc, "edge.start.again")
    assert audited.details["node"] == "node1"
    edge_commands.take_report(svc, "node1", replace(delivered, at=t0 + 20))
    deliveries = audit_entries(svc, "edge.snapshot.delivered")
    assert [e.details["delivery"] for e in deliveries] == [1, 2]


def _counts(deployment_id: int, frames: int, tracks: int, run: str = "run-1") -> CameraCounts:
    return CameraCounts(
        "node1",
        deployment_id,
        "cam1",
        frames,
        3,
        frames // 2,
        tracks,
        tracks,
        12.5,
        time.time(),
        run=run,
    )


def test_reports_counts_and_heartbeats_from_a_node_are_kept_and_audited(
    centre_and_services: tuple[Services, int, Bus],
) -> None:
    svc, deployment_id, bus = centre_and_services
    digest = deployment_row(svc, deployment_id).snapshot_digest or ""
    wait_until(lambda: bool(audit_entries(svc, "edge.start")), what="the start sent")
    assert asyncio.run(_start_kept(bus, deployment_id))  # with its sealed snapshot, for now
    before = deployment_row(svc, deployment_id)

    def added() -> tuple[int, int]:
        row = deployment_row(svc, deployment_id)
        return row.frames - before.frames, row.tracks - before.tracks

    key = base64.b64decode(bus.node.key)

    async def publish(js: JetStreamContext, subject: str, payload: bytes) -> None:
        """As node1 does: with its proof of origin."""
        await js.publish(subject, payload, headers={MAC_HEADER: message_mac(key, subject, payload)})

    async def node_says() -> None:
        async with bus.client(bus.node) as (client, js):
            report = proto.report_subject("node1", deployment_id)
            received = NodeReport("node1", deployment_id, "received", digest, time.time())
            await publish(js, report, proto.encode(received))
            subject = proto.counts_subject("node1", deployment_id, "cam1")
            # Cumulative: each message replaces the last; a restarted node's new run adds on.
            for counts, total in (
                (_counts(deployment_id, 100, 2), (100, 2)),
                (_counts(deployment_id, 250, 5), (250, 5)),
                (_counts(deployment_id, 40, 1, run="run-2"), (290, 6)),
            ):
                await publish(js, subject, proto.encode(counts))
                await _until(lambda total=total: added() == total, f"counts {total}")
            wiped = NodeReport("node1", deployment_id, "wiped", digest, time.time())
            await publish(js, report, proto.encode(wiped))
            beat = Heartbeat("node1", time.time(), (deployment_id,))
            await client.publish(proto.heartbeat_subject("node1"), proto.encode(beat))

    asyncio.run(node_says())
    wait_until(lambda: bool(audit_entries(svc, "edge.snapshot.wiped")), what="the wipe audited")
    [delivered] = audit_entries(svc, "edge.snapshot.delivered")
    assert delivered.details == {
        "node": "node1",
        "digest": digest,
        "matches_go_live": True,
        "delivery": 1,
    }
    with svc.transaction() as session:
        run = session.get(EdgeRun, (deployment_id, "node1"))
        assert run is not None and run.delivered_digest == digest and run.wiped_at is not None
    wait_until(lambda: _last_seen(svc) is not None, what="the heartbeat kept")
    wait_until(  # once wiped, the sealed copy leaves the bus's store too
        lambda: not asyncio.run(_start_kept(bus, deployment_id)), what="the start purged"
    )
    assert_chain_ok(svc)


async def _start_kept(bus: Bus, deployment_id: int) -> bool:
    """Whether the bus still stores the start command (with its sealed snapshot)."""
    start = StartCommand(deployment_id, (), 0.0, 0.0)
    async with bus.client(bus.centre) as (_, js):
        try:
            await js.get_last_msg(proto.DOWN_STREAM, proto.command_subject("node1", start))
        except NotFoundError:
            return False
        return True


def _last_seen(services: Services) -> object:
    with services.transaction() as session:
        return session.scalar(select(EdgeNode.last_seen_at).where(EdgeNode.name == "node1"))


def test_the_health_board_shows_a_node_camera_with_its_node_online_then_offline() -> None:
    board, events = HealthBoard(), InMemoryEventBus()
    board.attach(events)
    from lfr.events import topics
    from lfr.events.health import node_camera_health

    events.publish(topics.CAMERA_HEALTH, node_camera_health(_counts(4, 100, 2)))
    assert board.cameras(4)[0]["node_online"] is False  # no heartbeat yet
    events.publish(topics.NODE, {"node": "node1", "sent_at": time.time()})
    [camera] = board.cameras(4)
    assert camera["node"] == "node1" and camera["node_online"] is True
    assert camera["fps"] == 12.5 and camera["frames_dropped"] == 3
    assert board.nodes(now=time.time() + 10)["node1"]["online"] is False
