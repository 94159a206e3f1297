"""An edge node (``lfr.edge.node.serve``/``edge_node``) with the control centre over a real
nats-server, on fake models: the node gets its cameras and the sealed snapshot, reports the
snapshot's digest (audited), sends its one alert (stored once) and cumulative counts per camera,
and on the deployment's end wipes the snapshot and says so (audited). Without any link, a node
stops at the window's end by its own clock and wipes.

SQLite only: the node's side holds no database; what reaches the centre's store goes through the
alert intake, which tests/gov/edge/test_edge_intake.py runs on both backends.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.domain import Frame
from lfr.edge import protocol as proto
from lfr.edge.centre.link import EdgeCentre
from lfr.edge.node.outbox import Outgoing
from lfr.edge.node.runtime import EdgeNodeRuntime
from lfr.edge.node.serve import serve_node
from lfr.edge.protocol import NodeReport, StartCommand
from lfr.edge.wire.snapshot import seal_snapshot
from lfr.events import InMemoryEventBus
from lfr.events.topics import CameraCounts
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.deployments.snapshot import load_snapshot
from lfr.ingest.base import SourceStats
from lfr.store.tables import AlertRow, EdgeCameraCounts
from tests.gov.conftest import AUTHORISER, OPERATOR
from tests.gov.edge_bus import Bus, start_bus
from tests.gov.factories import (
    add_watchlist,
    assert_chain_ok,
    audit_entries,
    count,
    deployment_row,
    make_plan,
    with_clock,
)
from tests.gov.runtime.fakes import BOX, MATCH, STRANGER, fake_engine
from tests.unit.fakes import frame_with_faces
from tests.waiting import wait_until

CROP_KEY = bytes(range(32))
"""What the centre would derive for the node's crops in this deployment."""

pytestmark = pytest.mark.backends("sqlite")


class LiveCamera:
    """One face (``code``) every frame at a live pace, until closed."""

    still_images = False
    description = "fake live camera"

    def __init__(self, camera: str, code: int) -> None:
        self.camera, self.code, self.read, self.closed = camera, code, 0, threading.Event()

    def frames(self) -> Iterator[Frame]:
        while not self.closed.is_set():
            self.read += 1
            time.sleep(0.005)
            yield frame_with_faces(self.read, [(BOX, self.code)])

    def stats(self) -> SourceStats:
        return SourceStats(self.read, 0, 0)

    def close(self) -> None:
        self.closed.set()


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


def _live_now(
    services: Services, cameras: dict[str, str], lasting: timedelta = timedelta(hours=2)
) -> int:
    """Live now by the real clock (a node keeps time by its own), for ``lasting`` more."""
    now = datetime.now(UTC)
    svc, clock = with_clock(services, now - timedelta(hours=1))
    plan = make_plan(
        add_watchlist(svc, name="wl-now"),
        starts_at=now - timedelta(minutes=30),
        ends_at=now + lasting,
        cameras=cameras,
    )
    deployment_id = dep.plan_deployment(svc, OPERATOR, plan)
    dep.authorise(svc, AUTHORISER, deployment_id, "intelligence case 41")
    dep.confirm_signage(svc, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    clock.now = now
    dep.start(svc, OPERATOR, deployment_id)
    return deployment_id


def test_a_node_runs_its_cameras_sends_one_alert_and_counts_and_wipes_at_the_end(
    services: Services, bus: Bus, tmp_path: Path
) -> None:
    cameras = {"cam1": "rtsp://cam.example/a@node1", "cam2": "rtsp://cam.example/b@node1"}
    deployment_id = _live_now(services, cameras)
    sources = {"cam1": LiveCamera("cam1", MATCH), "cam2": LiveCamera("cam2", STRANGER)}
    centre = EdgeCentre(services, InMemoryEventBus(), bus.server.url, bus.centre)
    centre.start()
    stop = threading.Event()
    node_files_before = set(os.listdir(tmp_path))

    def node() -> None:
        asyncio.run(
            serve_node(
                bus.server.url,
                bus.node,
                fake_engine,
                stop,
                open_source=lambda spec, camera: sources[camera],
                counts_every_s=0.2,
            )
        )

    thread = threading.Thread(target=node, daemon=True)
    thread.start()
    try:
        wait_until(lambda: count(services, AlertRow) == 1, what="the node's alert stored")
        # The digest report and the alert travel on different streams: either may come first.
        wait_until(
            lambda: audit_entries(services, "edge.snapshot.delivered"), what="the digest report"
        )
        [delivered] = audit_entries(services, "edge.snapshot.delivered")
        assert delivered.details["matches_go_live"] is True
        wait_until(lambda: _counted(services) == {"cam1", "cam2"}, what="counts of both")
        dep.end(services, OPERATOR, deployment_id, "operation over")
        wait_until(lambda: bool(audit_entries(services, "edge.snapshot.wiped")), what="the wipe")
        assert all(source.closed.is_set() for source in sources.values())
    finally:
        stop.set()
        thread.join(30)
        centre.stop()
    with services.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
    assert (alert.camera, alert.subject_reference) == ("cam1", "WL-0000")
    assert deployment_row(services, deployment_id).frames > 0  # the nodes' counts added up
    assert set(os.listdir(tmp_path)) == node_files_before  # the node wrote nothing
    assert_chain_ok(services)


def test_a_node_cut_off_at_the_window_end_wipes_then_and_reports_it_when_the_link_is_back(
    services: Services, bus: Bus
) -> None:
    window = timedelta(seconds=20)  # time to start; then the link goes down till past it
    deployment_id = _live_now(services, {"cam1": "rtsp://cam.example/a@node1"}, window)
    ends_at = deployment_row(services, deployment_id).ends_at
    camera = LiveCamera("cam1", STRANGER)
    centre = EdgeCentre(services, InMemoryEventBus(), bus.server.url, bus.centre)
    centre.start()
    stop = threading.Event()
    thread = threading.Thread(
        target=lambda: asyncio.run(
            serve_node(bus.server.url, bus.node, fake_engine, stop, lambda s, c: camera, 0.2)
        ),
        daemon=True,
    )
    thread.start()
    try:
        wait_until(
            lambda: bool(audit_entries(services, "edge.snapshot.delivered")), what="delivery"
        )
        bus.server.stop()  # the link is down from here to past the window's end
        wait_until(camera.closed.is_set, what="the node to stop at the window's end")
        assert datetime.now(UTC) >= ends_at
        assert not audit_entries(services, "edge.snapshot.wiped")  # nobody heard yet
        bus.server.start()
        wait_until(
            lambda: bool(audit_entries(services, "edge.snapshot.wiped")),
            timeout=90,
            what="the wipe reported once the link is back",
        )
    finally:
        stop.set()
        thread.join(60)
        centre.stop()
    [wiped] = audit_entries(services, "edge.snapshot.wiped")
    wiped_at = datetime.fromisoformat(str(wiped.details["wiped_at"]))
    assert ends_at <= wiped_at < ends_at + timedelta(seconds=10)  # wiped then, told later
    assert_chain_ok(services)


def _counted(services: Services) -> set[str]:
    with services.transaction() as session:
        return set(session.scalars(select(EdgeCameraCounts.camera)))


def test_without_a_link_a_node_stops_at_the_window_end_and_wipes_its_snapshot(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    from tests.gov.factories import live

    deployment_id = live(svc, clock)
    watchlist = load_snapshot(svc, SYSTEM, deployment_id)
    key = os.urandom(32)
    sealed = seal_snapshot(key, "node1", deployment_id, watchlist, CROP_KEY)
    command = StartCommand(
        deployment_id,
        ("cam1=rtsp://cam.example/a",),
        time.time() + 1.0,
        0.5,
        sealed.key_wrapped,
        sealed.snapshot_sealed,
    )
    sent: list[Outgoing] = []  # nothing leaves: the link is down
    camera = LiveCamera("cam1", STRANGER)
    node = EdgeNodeRuntime("node1", key, fake_engine, sent.append, lambda s, c: camera, 0.2)
    node.on_start(command)
    assert node.running() == (deployment_id,)
    wait_until(lambda: any(b"wiped" in m.payload for m in sent), what="the wipe at the end")
    assert camera.closed.is_set() and node.running() == ()
    assert all(not run.command.snapshot for run in node._runs.values())  # no sealed copy kept
    reports = [proto.decode(NodeReport, m.payload) for m in sent if ".report." in m.subject]
    assert [r.event for r in reports] == ["received", "wiped"]
    assert {r.digest for r in reports} == {watchlist.digest()}
    counts = [proto.decode(CameraCounts, m.payload) for m in sent if ".counts." in m.subject]
    assert counts[-1].final and counts[-1].frames >= counts[0].frames
    assert not any(".alert." in m.subject for m in sent)  # strangers only: nothing else
