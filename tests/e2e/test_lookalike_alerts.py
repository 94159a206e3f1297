"""Not this person with the real models on the real clip: the clip plays twice through one
running deployment (the same camera worker), two minutes apart in source time so the
cool-down is long over. Lin-Manuel Miranda alerts on the first pass; when the operator rejects
that alert, its probe descriptor reaches the running camera as a negative for him, and the same
face passing again raises nothing, counted as one lookalike suppressed. Without the rejection
(the control) the second pass alerts again. Other subjects still alert past his negative."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lfr.domain import Alert, Frame
from lfr.ingest.base import SourceStats
from lfr.ingest.image_folder import ImageFolderSource
from lfr.ingest.video_file import VideoFileSource
from lfr.match.negatives import LookalikeNegatives, Negative
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from lfr.runtime.deployment import run_live
from lfr.runtime.port import LiveDeployment, RunCounts
from lfr.runtime.report import RunReport
from tests.e2e.conftest import CLIP, LIN
from tests.waiting import PATIENCE_S, wait_until

GAP_S = 120.0
"""Source seconds between the two passes: twice the default cool-down."""


class ClipTwice:
    """The clip, then - once ``second_pass`` is set - the clip again, as later frames of the
    same camera (frame numbers and times go on)."""

    still_images = False
    description = "the clip, twice"

    def __init__(self, camera: str, second_pass: threading.Event) -> None:
        self.camera = camera
        self.second_pass = second_pass
        self.read = 0

    def frames(self) -> Iterator[Frame]:
        for visit in range(2):
            if visit == 1:
                assert self.second_pass.wait(PATIENCE_S * 10), "the second pass was never cued"
            for frame in VideoFileSource(CLIP, camera=self.camera).frames():
                self.read += 1
                yield replace(frame, index=self.read - 1, time_s=frame.time_s + visit * GAP_S)

    def stats(self) -> SourceStats:
        return SourceStats(self.read, 0, 0)

    def close(self) -> None:
        pass


class InMemoryDeployments:
    """The governed store's part (``GovernedDeployments``), in memory: alerts kept, counts
    added, and the operator's rejections given to the cameras as negatives, each the rejected
    alert's probe descriptor (as ``lfr.governance.watchlists.lookalikes.add_negative`` keeps it)."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []
        self.counts = RunCounts()
        self.rejected: list[Negative] = []

    def reject(self, alert: Alert) -> None:
        assert alert.probe_descriptor is not None
        negative = Negative(len(self.rejected) + 1, alert.subject.reference, alert.probe_descriptor)
        self.rejected.append(negative)

    def open_run(self, actor: object, deployment_id: int) -> LiveDeployment:
        raise NotImplementedError  # the test opens the run itself

    def store_alert(self, deployment_id: int, alert: Alert) -> bool:
        self.alerts.append(alert)
        return True

    def add_counts(self, deployment_id: int, counts: RunCounts) -> bool:
        self.counts += counts
        return True

    def lookalike_negatives(self, deployment_id: int, after_id: int) -> list[Negative]:
        return [n for n in list(self.rejected) if n.id > after_id]

    def stop_reason(self, deployment_id: int) -> str | None:
        return None

    def enforce_schedule(self) -> list[str]:
        return []


def play_twice(
    engine: Engine, watchlist: Watchlist, reject_first: bool
) -> tuple[RunReport, InMemoryDeployments]:
    port = InMemoryDeployments()
    threshold = engine.config.alert.threshold
    live = LiveDeployment(1, {"hamilton": "the clip"}, threshold, watchlist)
    second_pass = threading.Event()
    reports: list[RunReport] = []
    runner = threading.Thread(
        target=lambda: reports.append(
            run_live(
                port,
                live,
                lambda: engine,
                lambda spec, camera: ClipTwice(camera, second_pass),
                check_every_s=0.05,
            )
        )
    )
    runner.start()
    wait_until(lambda: port.alerts, timeout=PATIENCE_S * 10, what="the first pass's alert")
    if reject_first:
        port.reject(port.alerts[0])
        wait_until(lambda: len(live.negatives) == 1, what="the camera picking up the rejection")
    second_pass.set()
    runner.join(PATIENCE_S * 10)
    assert not runner.is_alive(), "the run did not end"
    return reports[0], port


@pytest.mark.parametrize("reject_first", [True, False], ids=["rejected", "control"])
def test_a_rejected_lookalike_does_not_alert_again_on_the_next_pass(
    engine: Engine, watchlist: Watchlist, reject_first: bool
) -> None:
    report, port = play_twice(engine, watchlist, reject_first)
    subjects = [a.subject.reference for a in port.alerts]
    assert report.totals.frames == 2 * 275
    if reject_first:
        assert subjects == [LIN]  # the second pass raised nothing
        assert report.lookalikes_suppressed == 1 == port.counts.lookalikes_suppressed
    else:
        assert subjects == [LIN, LIN]  # the second pass alerts when nobody rejected the first
        assert report.lookalikes_suppressed == 0
        assert port.alerts[1].time_s > GAP_S


def test_other_subjects_still_alert_past_a_rejected_lookalike(
    engine: Engine, watchlist: Watchlist, data: Path, tmp_path: Path
) -> None:
    # Lin's rejected probe, taken from a real alert on the clip ...
    first: list[Alert] = []
    run_source(engine, VideoFileSource(CLIP, camera="hamilton"), watchlist, first.append)
    [lin] = first
    assert lin.probe_descriptor is not None
    negatives = LookalikeNegatives([Negative(1, LIN, lin.probe_descriptor)])
    # ... in force while a photo of two other watchlisted people is searched.
    folder = tmp_path / "scene"
    folder.mkdir()
    (folder / "obama_and_biden.jpg").symlink_to(data / "scenes" / "obama_and_biden.jpg")
    alerts: list[Alert] = []
    summary = run_source(
        engine, ImageFolderSource(folder), watchlist, alerts.append, negatives=negatives
    )
    assert sorted(a.subject.reference for a in alerts) == ["barack_obama", "joe_biden"]
    assert summary.lookalikes_suppressed == 0
