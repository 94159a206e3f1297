"""The camera host inside ``lfr serve``: runs a live deployment's cameras on a thread and
publishes alerts, camera health and counts on the bus (fake models, no weights)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.centre.camera_port import GovernedDeployments
from lfr.domain import Frame
from lfr.errors import LfrError, PermissionDeniedError, StateError
from lfr.events import InMemoryEventBus, topics
from lfr.events.bus import Event
from lfr.events.health import HealthBoard
from lfr.events.metrics import Metrics
from lfr.governance.deployments import lifecycle as dep
from lfr.ingest.base import SourceStats
from lfr.runtime.host import CameraHost
from tests.gov.conftest import FIELD, OPERATOR
from tests.gov.factories import audit_entries, live, ready, with_clock
from tests.gov.runtime.fakes import BOX, MATCH, STRANGER, FakeCamera, fake_engine
from tests.unit.fakes import frame_with_faces
from tests.waiting import wait_until


class EndlessCamera:
    """A camera that runs until it is closed."""

    still_images = False
    description = "endless fake camera"

    def __init__(self, camera: str) -> None:
        self.camera = camera
        self.read = 0
        self.closed = threading.Event()

    def frames(self) -> Iterator[Frame]:
        while not self.closed.is_set():
            self.read += 1
            time.sleep(0.002)
            yield frame_with_faces(self.read, [(BOX, STRANGER)])

    def stats(self) -> SourceStats:
        return SourceStats(self.read, 0, 0)

    def close(self) -> None:
        self.closed.set()


def test_a_run_publishes_its_alert_health_and_counts(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock, cameras={"north": "rtsp://north/cam"})
    bus = InMemoryEventBus()
    metrics, board = Metrics(), HealthBoard()
    metrics.attach(bus)
    board.attach(bus)
    events: list[Event] = []
    bus.subscribe(events.append)
    host = CameraHost(
        GovernedDeployments(svc),
        bus,
        fake_engine,
        lambda spec, camera: FakeCamera(camera, MATCH),
        health_every_s=0.02,
    )
    host.run(OPERATOR, deployment_id)
    wait_until(
        lambda: any(e.topic == topics.RUN and e.data["state"] == "stopped" for e in events),
        what="the end of the run",
    )

    by_topic = {t: [e for e in events if e.topic == t] for t in {e.topic for e in events}}
    assert [e.data["state"] for e in by_topic[topics.RUN]] == ["running", "stopped"]
    (alert,) = by_topic[topics.ALERT]
    assert alert.data["deployment_id"] == deployment_id and alert.id == alert.data["alert_id"]
    assert alert.data["camera"] == "north" and alert.data["store_s"] >= 0
    final = by_topic[topics.CAMERA_HEALTH][-1].data
    assert (final["camera"], final["state"], final["frames"]) == ("north", "stopped", 40)
    assert sum(e.data["face_detections"] for e in by_topic[topics.ENGINE_STATS]) == 40
    assert by_topic[topics.RUN][-1].data["tracks"] == 1
    assert board.cameras(deployment_id)[0]["frames"] == 40
    assert not board.running(deployment_id)
    text = metrics.render().decode()
    assert f'lfr_frames_total{{camera="north",deployment="{deployment_id}"}} 40.0' in text
    assert "lfr_alerts_total 1.0" in text  # in all: never by deployment
    assert f'lfr_faces_seen_total{{deployment="{deployment_id}"}} 1.0' in text
    assert f'lfr_face_detections_total{{deployment="{deployment_id}"}} 40.0' in text
    assert 'lfr_stage_seconds_count{stage="detect"} 40.0' in text
    assert host.running() == []


def test_runs_are_refused_with_a_reason(services: Services) -> None:
    svc, clock = with_clock(services)
    draft = ready(svc, clock)
    deployment_id = live(svc, clock)
    bus = InMemoryEventBus()
    cameras: list[EndlessCamera] = []

    def open_source(spec: str, camera: str) -> EndlessCamera:
        cameras.append(EndlessCamera(camera))
        return cameras[-1]

    host = CameraHost(GovernedDeployments(svc), bus, fake_engine, open_source, health_every_s=0.05)
    with pytest.raises(PermissionDeniedError):
        host.run(FIELD, deployment_id)
    with pytest.raises(StateError, match="only a live deployment's cameras can run"):
        host.run(OPERATOR, draft)
    host.run(OPERATOR, deployment_id)
    try:
        with pytest.raises(StateError, match="already running"):
            host.run(OPERATOR, deployment_id)
        wait_until(lambda: cameras and cameras[0].read > 5, what="the camera's first frames")
        assert host.running() == [deployment_id]
    finally:
        host.stop_all()
    assert host.running() == [] and cameras[0].closed.is_set()
    with pytest.raises(StateError, match="shutting down"):
        host.run(OPERATOR, deployment_id)


def test_cameras_resume_when_the_server_starts_again(services: Services, tmp_path: Path) -> None:
    """A run stopped by the server (or lost with it) stays in the ledger and resumes, as the
    system; a run that ends with its deployment leaves it."""
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    ledger = tmp_path / "runtime" / "cameras.json"
    cameras: list[EndlessCamera] = []

    def open_source(spec: str, camera: str) -> EndlessCamera:
        cameras.append(EndlessCamera(camera))
        return cameras[-1]

    def host() -> CameraHost:
        port = GovernedDeployments(svc)
        return CameraHost(port, InMemoryEventBus(), fake_engine, open_source, ledger=ledger)

    first = host()
    first.run(OPERATOR, deployment_id)
    wait_until(lambda: cameras and cameras[0].read > 5, what="the camera's first frames")
    assert first.stop_all() == [deployment_id]  # the server stops: the run stays recorded

    second = host()
    assert second.resume(SYSTEM) == [deployment_id]
    wait_until(lambda: len(cameras) == 2 and cameras[1].read > 5, what="the resumed camera")
    loads = audit_entries(svc, "deployment.snapshot.load")
    assert [e.actor for e in loads] == [OPERATOR.username, SYSTEM.username]

    dep.end(svc, OPERATOR, deployment_id, "done")  # the run stops with its deployment
    wait_until(lambda: second.running() == [], what="the run to stop with its deployment")
    assert host().resume(SYSTEM) == [] and json.loads(ledger.read_text()) == {"deployments": []}


def test_stopping_a_run_stores_its_last_counts_so_the_record_at_end_is_complete(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    cameras: list[EndlessCamera] = []

    def open_source(spec: str, camera: str) -> EndlessCamera:
        cameras.append(EndlessCamera(camera))
        return cameras[-1]

    # counts_every_s is long: without stop(), none would be stored before End.
    host = CameraHost(
        GovernedDeployments(svc), InMemoryEventBus(), fake_engine, open_source, counts_every_s=3600
    )
    assert host.stop(deployment_id) is False  # not running: nothing to wait for
    host.run(OPERATOR, deployment_id)
    wait_until(lambda: cameras and cameras[0].read > 5, what="the camera's first frames")
    assert host.stop(deployment_id) is True
    assert host.running() == []

    record = dep.end(svc, OPERATOR, deployment_id, "planned end")
    assert record.frames >= 5 and record.face_detections >= 5 and record.faces_seen == 1


def test_a_camera_that_fails_or_whose_file_ends_is_shown_so_while_the_others_run(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    cameras = {"north": "rtsp://north/cam", "clip": "clip.mp4", "gone": "missing.mp4"}
    deployment_id = live(svc, clock, cameras=cameras)
    bus = InMemoryEventBus()
    board = HealthBoard()
    board.attach(bus)

    def open_source(spec: str, camera: str) -> FakeCamera | EndlessCamera:
        if camera == "gone":
            raise LfrError("cannot open missing.mp4: no such file")
        return FakeCamera(camera, STRANGER, limit=5) if camera == "clip" else EndlessCamera(camera)

    host = CameraHost(GovernedDeployments(svc), bus, fake_engine, open_source, health_every_s=0.02)
    host.run(OPERATOR, deployment_id)
    try:

        def states() -> dict[str, str]:
            return {c["camera"]: c["state"] for c in board.cameras(deployment_id)}

        wait_until(
            lambda: states() == {"north": "running", "clip": "ended", "gone": "error"},
            what="the ended file and the failed camera shown beside the running one",
        )
        time.sleep(0.1)  # later ticks keep saying so
        shown = {c["camera"]: c for c in board.cameras(deployment_id)}
        assert states() == {"north": "running", "clip": "ended", "gone": "error"}
        assert "no such file" in shown["gone"]["error"] and shown["gone"]["warning"]
        assert shown["clip"]["frames"] == 5 and shown["clip"]["fps"] == 0.0
        assert host.running() == [deployment_id]  # the deployment still scans with north
    finally:
        host.stop(deployment_id)
