"""Alerts and counts entering the governed store, and the camera workers of a live deployment."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import cache
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.app import build_engine
from lfr.config import EngineConfig
from lfr.domain import Alert, Box, Detection, Frame, Image, Subject, Template
from lfr.enrol.folder import Enroller
from lfr.errors import (
    LfrError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    SourceError,
    StateError,
)
from lfr.governance import lifecycle as dep
from lfr.governance.alert_intake import add_counts, store_alert
from lfr.governance.camera_port import GovernedDeployments
from lfr.governance.policy import DEFAULT_CATEGORIES
from lfr.governance.records import get_record
from lfr.imaging import decode_jpeg
from lfr.ingest.base import SourceStats
from lfr.ingest.stream import StreamSource
from lfr.ingest.synthetic import demo_watchlist_image
from lfr.pipeline.engine import Engine
from lfr.runtime.deployment import run_deployment
from lfr.runtime.report import RunReport
from lfr.store.sealing import entry_owner, open_image, seal_image, seal_vector
from lfr.store.tables import AlertRow, Deployment, EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow
from tests.gov.conftest import AUTHORISER, FIELD, OPERATOR
from tests.gov.factories import audit_count, audit_entries
from tests.gov.test_deployments import (
    ENDS,
    assert_chain_ok,
    count,
    deployment_row,
    live,
    ready,
    with_clock,
)
from tests.unit.fakes import FakeAligner, FakeEmbedder, frame_with_faces
from tests.waiting import PATIENCE_S


def make_alert(alert_id: str = "alert-1", threshold: float = 0.5, **changes: Any) -> Alert:
    rng = np.random.default_rng(3)
    fields: dict[str, Any] = {
        "id": alert_id,
        "subject": Subject(
            "WL-0001", "Person 1", "wanted by the courts", "warrant 77", "custody record"
        ),
        "distance": 0.312,
        "score": 0.688,
        "threshold": threshold,
        "camera": "van-front",
        "time_s": 12.4,
        "frame": 310,
        "track": 7,
        "probe_crop": rng.integers(0, 255, (48, 40, 3), dtype=np.uint8),
        "enrolled_crop": rng.integers(0, 255, (50, 42, 3), dtype=np.uint8),
        "enrolled_image": "1.jpg",
    }
    fields.update(changes)
    return Alert(**fields)


# --- store_alert ------------------------------------------------------------------------------


def test_an_alert_is_stored_once_with_sealed_crops(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    alert = make_alert()
    assert store_alert(svc, deployment_id, alert) is True
    assert store_alert(svc, deployment_id, alert) is False  # a retried delivery
    assert count(svc, AlertRow) == 1

    with svc.transaction() as session:
        row = session.get(AlertRow, alert.id)
        assert row is not None
        entry = session.scalar(select(WatchlistEntry).where(WatchlistEntry.reference == "WL-0001"))
        assert entry is not None and row.entry_id == entry.id
    assert (row.deployment_id, row.camera, row.status) == (deployment_id, "van-front", "pending")
    assert (row.subject_reference, row.subject_name) == ("WL-0001", "Person 1")
    assert (row.category, row.reason) == ("wanted by the courts", "warrant 77")
    assert (row.distance, row.score, row.threshold) == (0.312, 0.688, 0.5)
    assert (row.time_s, row.frame, row.track) == (12.4, 310, 7)
    assert row.raised_at == clock.now and row.enrolled_image == "1.jpg"
    assert row.probe_crop_enc is not None and row.enrolled_crop_enc is not None
    probe = decode_jpeg(open_image(svc.cipher, row.probe_crop_enc, "alert", alert.id, "probe"))
    enrolled = open_image(svc.cipher, row.enrolled_crop_enc, "alert", alert.id, "enrolled")
    assert probe.shape == (48, 40, 3) and decode_jpeg(enrolled).shape == (50, 42, 3)

    (raised,) = audit_entries(svc, "alert.raised")
    assert raised.actor == "engine:van-front" and raised.target == f"alert:{alert.id}"
    assert raised.details == {
        "alert_id": alert.id,
        "deployment_id": deployment_id,
        "subject_reference": "WL-0001",
        "distance": 0.312,
        "threshold": 0.5,
        "camera": "van-front",
    }
    assert_chain_ok(svc)


def test_alerts_are_refused_unless_the_deployment_is_live(services: Services) -> None:
    svc, clock = with_clock(services)
    draft = ready(svc, clock)
    before = audit_count(svc)
    with pytest.raises(StateError, match="is authorised; alerts are accepted only while it is"):
        store_alert(svc, draft, make_alert())
    with pytest.raises(NotFoundError):
        store_alert(svc, 999, make_alert())
    assert audit_count(svc) == before
    deployment_id = live(svc, clock)
    before = audit_count(svc)
    with pytest.raises(PolicyViolationError, match="looser than deployment"):
        store_alert(svc, deployment_id, make_alert(threshold=0.55))
    assert audit_count(svc) == before
    dep.end(svc, OPERATOR, deployment_id)
    before = audit_count(svc)
    with pytest.raises(StateError, match="is ended"):
        store_alert(svc, deployment_id, make_alert("late"))
    assert count(svc, AlertRow) == 0 and audit_count(svc) == before


def test_counts_accumulate_while_live(services: Services) -> None:
    svc, clock = with_clock(services)
    draft = ready(svc, clock)
    with pytest.raises(StateError, match="has not been live"):
        add_counts(svc, draft, 1, 1, 1)
    deployment_id = live(svc, clock)
    with pytest.raises(LfrError, match="cannot be negative"):
        add_counts(svc, deployment_id, -1, 0, 0)
    assert add_counts(svc, deployment_id, 100, 30, 5)
    assert add_counts(svc, deployment_id, 50, 10, 2)
    row = deployment_row(svc, deployment_id)
    assert (row.frames, row.face_detections, row.tracks) == (150, 40, 7)
    assert [e.actor for e in audit_entries(svc, "deployment.counts")] == ["engine", "engine"]


# --- run_deployment with fake models ----------------------------------------------------------

BOX = Box(100, 100, 200, 200)
MATCH, STRANGER = 10, 20  # marker codes the fake aligner reads and the fake embedder maps
VECTORS = {MATCH: [1.0, 0.0, 0.0, 0.0], STRANGER: [0.5, 0.5, 0.5, 0.5]}  # WL-0000 is e_0


class OneFaceDetector:
    name = "one-face"

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        return [Detection(BOX, 1.0)]


class FakeCamera:
    still_images = False
    description = "fake camera"

    def __init__(
        self,
        camera: str,
        code: int,
        limit: int = 40,
        on_frame: Callable[[int], None] | None = None,
    ) -> None:
        self.camera, self.code, self.limit, self.on_frame = camera, code, limit, on_frame
        self.read = 0
        self.closed = False

    def frames(self) -> Iterator[Frame]:
        for index in range(self.limit):
            if self.on_frame is not None:
                self.on_frame(index)
            self.read = index + 1
            yield frame_with_faces(index, [(BOX, self.code)])

    def stats(self) -> SourceStats:
        return SourceStats(self.read, 0, 0)

    def close(self) -> None:
        self.closed = True


def fake_engine() -> Engine:
    return Engine(EngineConfig(), OneFaceDetector(), FakeAligner(), FakeEmbedder(VECTORS))


def test_cameras_run_on_their_own_engines_and_store_only_alerts_and_counts(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    cameras = {"north": "rtsp://user:pw@north/cam", "south": "rtsp://user:pw@south/cam"}
    deployment_id = live(svc, clock, cameras=cameras, threshold=0.45)
    sources = {"north": FakeCamera("north", MATCH), "south": FakeCamera("south", STRANGER)}
    opened: list[tuple[str, str]] = []
    engines: list[Engine] = []

    def open_source(spec: str, camera: str) -> FakeCamera:
        opened.append((spec, camera))
        return sources[camera]

    def engine_factory() -> Engine:
        engines.append(fake_engine())
        return engines[-1]

    report = run_deployment(
        GovernedDeployments(svc), OPERATOR, deployment_id, engine_factory, open_source
    )

    assert sorted(opened) == sorted((spec, name) for name, spec in cameras.items())
    assert len(engines) == 2 and all(s.closed for s in sources.values())
    assert report.alerts_stored == 1 and report.stopped is None
    assert report.cameras["north"].alerts_stored == 1
    assert report.cameras["south"].alerts_stored == 0
    totals = report.totals
    assert (totals.frames, totals.face_detections, totals.tracks) == (80, 80, 2)
    assert report.counts_stored is True
    with svc.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
    assert (alert.camera, alert.subject_reference, alert.threshold) == ("north", "WL-0000", 0.45)
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.frames, row.face_detections, row.tracks) == ("live", 80, 80, 2)
    assert [e.actor for e in audit_entries(svc, "alert.raised")] == ["engine:north"]
    assert len(audit_entries(svc, "deployment.snapshot.load")) == 1
    assert_chain_ok(svc)


AFTER_THE_END = 20_000
"""Frames a fake camera still has once its deployment must stop, one a millisecond from then on
(a live camera's pace): 20 s, far longer than a supervisor checking every 10 ms needs to stop it
on any machine. The run stopping before they are used up is what these tests check; how many
frames fit in between is up to the machine, so they never count them."""


def stopping_at(index: int, stop: Callable[[], None]) -> Callable[[int], None]:
    """A camera's ``on_frame``: ``stop()`` as frame ``index`` is read, then a live pace."""

    def on_frame(current: int) -> None:
        if current == index:
            stop()
        elif current > index:
            time.sleep(0.001)

    return on_frame


def test_cameras_stop_when_the_window_ends(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)

    def close_window() -> None:
        clock.now = ENDS

    limit = 30 + AFTER_THE_END
    source = FakeCamera("van-front", STRANGER, limit=limit, on_frame=stopping_at(30, close_window))
    report = run_deployment(
        GovernedDeployments(svc),
        OPERATOR,
        deployment_id,
        fake_engine,
        lambda s, c: source,
        check_every_s=0.01,
    )
    assert report.stopped == "window ended"
    # Frames 0-29 came inside the window (all scanned); the camera was stopped long before it
    # ran out. Whether frame 30 was scanned too is a race the test does not bet on.
    assert 30 <= report.totals.frames < limit
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.end_reason) == ("ended", "window ended")
    assert row.frames == report.totals.frames
    assert get_record(svc, OPERATOR, deployment_id).faces_seen == 1


def test_cameras_stop_when_the_deployment_is_ended_elsewhere(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)

    def end_it() -> None:
        dep.end(svc, AUTHORISER, deployment_id, "called off")

    limit = 30 + AFTER_THE_END
    source = FakeCamera("van-front", STRANGER, limit=limit, on_frame=stopping_at(30, end_it))
    report = run_deployment(
        GovernedDeployments(svc),
        OPERATOR,
        deployment_id,
        fake_engine,
        lambda s, c: source,
        check_every_s=0.01,
    )
    assert report.stopped == "deployment is ended"
    assert 30 <= report.totals.frames < limit  # stopped long before the camera ran out
    record = get_record(svc, OPERATOR, deployment_id)
    assert record.frames == report.totals.frames and record.faces_seen == 1


class DeadCapture:
    """A camera that never answers."""

    def read(self) -> tuple[bool, Any]:
        return False, None

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's spelling
        return False

    def release(self) -> None:
        pass

    def get(self, prop_id: int, /) -> float:
        return 0.0


def test_a_dead_stream_cannot_hold_the_deployment_open(services: Services) -> None:
    svc, clock = with_clock(services)
    cameras = {"alive": "fake://alive", "dead": "rtsp://admin:pw@10.9.9.9/x"}
    deployment_id = live(svc, clock, cameras=cameras)

    def close_window() -> None:
        clock.now = ENDS

    def open_source(spec: str, camera: str) -> FakeCamera | StreamSource:
        if camera == "dead":  # retries for ever, backing off up to an hour between attempts
            return StreamSource(spec, camera, backoff_max_s=3600.0, opener=lambda _: DeadCapture())
        on_frame = stopping_at(30, close_window)
        return FakeCamera(camera, STRANGER, limit=30 + AFTER_THE_END, on_frame=on_frame)

    # Run in the background: were the dead stream to hold the run open, it would never end.
    outcome: list[RunReport | BaseException] = []

    def run() -> None:
        try:
            outcome.append(
                run_deployment(
                    GovernedDeployments(svc),
                    OPERATOR,
                    deployment_id,
                    fake_engine,
                    open_source,
                    check_every_s=0.01,
                )
            )
        except BaseException as exc:
            outcome.append(exc)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(PATIENCE_S)
    assert not runner.is_alive(), "the dead stream held the deployment open"
    (report,) = outcome
    if isinstance(report, BaseException):
        raise report
    assert report.stopped == "window ended"
    assert report.cameras["dead"].frames == 0
    assert deployment_row(svc, deployment_id).state == "ended"


def test_a_camera_that_cannot_open_does_not_stop_the_others(services: Services) -> None:
    svc, clock = with_clock(services)
    cameras = {"good": "fake://good", "bad": "rtsp://admin:hunter2@10.1.1.1/x"}
    deployment_id = live(svc, clock, cameras=cameras)

    def open_source(spec: str, camera: str) -> FakeCamera:
        if camera == "bad":
            raise SourceError(f"cannot open {spec}")
        return FakeCamera(camera, STRANGER, limit=10)

    report = run_deployment(
        GovernedDeployments(svc), OPERATOR, deployment_id, fake_engine, open_source
    )
    assert report.cameras["good"].frames == 10
    assert report.cameras["bad"].error == "cannot open rtsp://***@10.1.1.1/x"
    assert report.totals.frames == 10


def test_run_needs_an_operator_and_a_live_deployment(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    port = GovernedDeployments(svc)
    with pytest.raises(PermissionDeniedError):
        run_deployment(port, FIELD, deployment_id, fake_engine)
    with pytest.raises(StateError, match="only a live deployment's cameras can run"):
        run_deployment(port, OPERATOR, deployment_id, fake_engine)


# --- the real engine on the built-in demo clip ------------------------------------------------

DEMO_SUBJECT = Subject(
    reference="DEMO-0001",
    display_name="Eileen Collins (demo)",
    category=DEFAULT_CATEGORIES[3],
    reason="demo subject",
    image_source="skimage.data.astronaut() (NASA, public domain)",
)


@cache
def _demo() -> tuple[Engine, Template]:
    engine = build_engine(EngineConfig())
    enroller = Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)
    return engine, enroller.enrol_array(demo_watchlist_image(), DEMO_SUBJECT, "astronaut.png")


def _add_demo_watchlist(services: Services, template: Template) -> int:
    now = services.clock()
    with services.transaction() as session:
        watchlist = WatchlistRow(name="demo", created_at=now, created_by="wendy")
        session.add(watchlist)
        session.flush()
        owner = entry_owner(watchlist.id, DEMO_SUBJECT.reference)
        name = template.image_name
        entry = WatchlistEntry(
            watchlist_id=watchlist.id,
            **asdict(DEMO_SUBJECT),
            added_by="wendy",
            added_at=now,
            expires_at=ENDS,
        )
        entry.images.append(
            EntryImage(
                image_name=name,
                contract=asdict(template.contract),
                template_enc=seal_vector(services.cipher, template.embedding, "entry", owner, name),
                face_jpeg_enc=seal_image(services.cipher, template.face_jpeg, "entry", owner, name),
            )
        )
        session.add(entry)
        return watchlist.id


def test_a_live_deployment_on_the_demo_clip_stores_exactly_one_alert(services: Services) -> None:
    engine, template = _demo()
    svc, clock = with_clock(services)
    watchlist_id = _add_demo_watchlist(svc, template)
    deployment_id = ready(svc, clock, watchlist_id=watchlist_id, cameras={"demo": "demo"})
    dep.start(svc, OPERATOR, deployment_id)

    report = run_deployment(GovernedDeployments(svc), OPERATOR, deployment_id, lambda: engine)

    assert report.alerts_stored == 1 and report.cameras["demo"].frames == 150
    with svc.transaction() as session:
        (alert,) = session.scalars(select(AlertRow)).all()
        deployment = session.get(Deployment, deployment_id)
        assert deployment is not None
    assert alert.subject_reference == "DEMO-0001" and alert.camera == "demo"
    assert alert.distance < alert.threshold == 0.5
    assert alert.probe_crop_enc is not None
    probe = open_image(svc.cipher, alert.probe_crop_enc, "alert", alert.id, "probe")
    assert decode_jpeg(probe).ndim == 3
    assert (deployment.frames, deployment.tracks) == (150, 1)
    record = dep.end(svc, OPERATOR, deployment_id)
    assert (record.alerts, record.unreviewed, record.faces_seen) == (1, 1, 1)
    assert_chain_ok(svc)
