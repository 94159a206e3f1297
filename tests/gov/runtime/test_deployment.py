"""A live deployment's camera run (``lfr.runtime.deployment.run_deployment``): fake models on
fake cameras, then the real engine on the built-in demo clip."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from functools import cache
from typing import Any

import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.app import build_engine
from lfr.centre.camera_port import GovernedDeployments
from lfr.config import EngineConfig
from lfr.domain import Detection, Frame, Subject, Template
from lfr.enrol.folder import Enroller
from lfr.errors import PermissionDeniedError, SourceError, StateError
from lfr.governance.alerts import adjudication as adj
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import DEFAULT_CATEGORIES
from lfr.governance.records.published import get_record
from lfr.imaging import decode_jpeg
from lfr.ingest.stream import StreamSource
from lfr.ingest.synthetic import demo_watchlist_image
from lfr.pipeline.engine import Engine
from lfr.runtime.deployment import STOP_REQUESTED, run_deployment, run_live
from lfr.runtime.report import RunReport
from lfr.store.sealing import entry_owner, open_image, seal_image, seal_vector
from lfr.store.tables import AlertRow, Deployment, EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow
from tests.gov.conftest import AUTHORISER, FIELD, OPERATOR
from tests.gov.factories import (
    ENDS,
    assert_chain_ok,
    audit_entries,
    deployment_row,
    live,
    ready,
    with_clock,
)
from tests.gov.runtime.fakes import BOX, MATCH, STRANGER, VECTORS, FakeCamera, fake_engine
from tests.unit.fakes import FakeAligner, FakeEmbedder, frame_with_faces
from tests.waiting import PATIENCE_S, wait_until

# --- run_deployment with fake models ----------------------------------------------------------


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


def test_counts_are_stored_as_the_cameras_run_and_a_stop_request_ends_the_run(
    services: Services,
) -> None:
    """A crash loses at most one interval of counts; a stop request (SIGINT or SIGTERM to
    ``lfr deployment run``) ends the run with every count stored, once."""
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    stop = threading.Event()
    pace = stopping_at(0, lambda: None)  # a live camera's pace from the first frame on
    source = FakeCamera("van-front", STRANGER, limit=AFTER_THE_END, on_frame=pace)
    outcome: list[RunReport] = []

    def run() -> None:
        port = GovernedDeployments(svc)
        outcome.append(
            run_deployment(
                port,
                OPERATOR,
                deployment_id,
                fake_engine,
                lambda s, c: source,
                check_every_s=0.01,
                counts_every_s=0.05,
                stop=stop,
            )
        )

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    wait_until(
        lambda: len(audit_entries(svc, "deployment.counts")) >= 2,
        what="counts stored while the camera runs",
    )
    assert runner.is_alive() and deployment_row(svc, deployment_id).frames > 0
    stop.set()
    runner.join(PATIENCE_S)
    assert not runner.is_alive(), "the stop request did not end the run"
    (report,) = outcome
    assert report.stopped == STOP_REQUESTED and report.counts_stored
    assert 0 < report.totals.frames < AFTER_THE_END and source.closed
    row = deployment_row(svc, deployment_id)
    totals = report.totals
    assert (row.frames, row.face_detections, row.tracks) == (totals.frames, totals.frames, 1)
    stored = audit_entries(svc, "deployment.counts")
    assert sum(e.details["frames"] for e in stored) == row.frames  # every frame counted once
    assert row.state == "live"  # a stopped run is not an ended deployment


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
    cameras = {"alive": "rtsp://alive/cam", "dead": "rtsp://admin:pw@10.9.9.9/x"}
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
    cameras = {"good": "rtsp://good/cam", "bad": "rtsp://admin:hunter2@10.1.1.1/x"}
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


# --- "not this person": a rejection reaches the running cameras ------------------------------


class MarkerDetector:
    """Finds the fake face only where a frame shows one (its marker pixel is set)."""

    name = "marker"

    def detect(self, image: Any, upsample: int = 0) -> list[Detection]:
        return [Detection(BOX, 1.0)] if image[int(BOX.top), int(BOX.left), 0] else []


class TwoVisitsCamera(FakeCamera):
    """The same face passes twice (frames 0-19 and 40-59), nobody in between; before the second
    pass the camera waits for ``second_pass`` (the test's cue), as a street would."""

    def __init__(self, second_pass: threading.Event) -> None:
        super().__init__("north", MATCH, limit=80)
        self.second_pass = second_pass

    def frames(self) -> Iterator[Frame]:
        for index in range(self.limit):
            if index == 40:
                assert self.second_pass.wait(PATIENCE_S), "the test never cued the second pass"
            self.read = index + 1
            shown = [(BOX, MATCH)] if index % 40 < 20 else []
            yield frame_with_faces(index, shown)


def test_a_rejected_alert_stops_the_running_cameras_alerting_on_that_face_again(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock, cameras={"north": "rtsp://north/cam"})
    port = GovernedDeployments(svc)
    opened = port.open_run(OPERATOR, deployment_id)
    second_pass = threading.Event()
    config = EngineConfig.model_validate({"alert": {"cooldown_s": 0.0}})  # no cool-down to hide
    stored: list[str] = []
    reports: list[RunReport] = []

    def run() -> None:
        reports.append(
            run_live(
                port,
                opened,
                lambda: Engine(config, MarkerDetector(), FakeAligner(), FakeEmbedder(VECTORS)),
                lambda spec, camera: TwoVisitsCamera(second_pass),
                check_every_s=0.01,
                on_alert_stored=lambda alert: stored.append(alert.id),
            )
        )

    runner = threading.Thread(target=run)
    runner.start()
    wait_until(lambda: stored, what="the first alert")
    adj.adjudicate(svc, OPERATOR, stored[0], "false_alert")
    wait_until(lambda: len(opened.negatives) == 1, what="the cameras picking up the rejection")
    second_pass.set()
    runner.join(PATIENCE_S)

    [report] = reports
    assert len(stored) == 1 and report.alerts_stored == 1  # the second pass raised nothing
    assert report.lookalikes_suppressed == 1 and report.totals.lookalikes_suppressed == 1
    assert deployment_row(svc, deployment_id).lookalikes_suppressed == 1
