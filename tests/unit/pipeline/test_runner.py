"""The camera loop: a frame picked up late is carried by the tracker instead of searched for
faces; frames on time, files read offline and still photos are always searched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from lfr.config import EngineConfig
from lfr.domain import Alert, Box, Detection, Frame, Image, Template
from lfr.imaging import encode_jpeg
from lfr.ingest.base import SourceStats
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from lfr.pipeline.runner import run_camera
from lfr.pipeline.worker import CameraWorker
from tests.unit.fakes import CONTRACT, FakeAligner, FakeEmbedder, frame_with_faces, subject

FACE = Box(100, 50, 190, 140)
CODE = 20


class ListSource:
    """Frames from a list; ``ages_s[i]``: how long before its pickup frame i was captured."""

    camera = "cam"
    description = "list"

    def __init__(
        self, ages_s: list[float], still_images: bool = False, realtime: bool = False
    ) -> None:
        self.ages_s = ages_s
        self.still_images = still_images
        self.realtime = realtime

    def frames(self) -> Iterator[Frame]:
        for index, age in enumerate(self.ages_s):
            frame = frame_with_faces(index, [(FACE, CODE)])
            frame.image[0, 0, 1] = index  # which frame the detector was given
            yield replace(frame, captured_at=time.monotonic() - age)

    def stats(self) -> SourceStats:
        return SourceStats(len(self.ages_s), 0, 0)

    def close(self) -> None:
        pass


class CountingDetector:
    name = "counting"

    def __init__(self) -> None:
        self.searched: list[int] = []

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        self.searched.append(int(image[0, 0, 1]))
        return [Detection(FACE, 1.0)]


def no_alert(alert: Alert) -> None:
    raise AssertionError("nobody here is on the watchlist")


def worker() -> CameraWorker:
    face = encode_jpeg(np.zeros((8, 8, 3), np.uint8))
    ana = Template(subject("ana"), np.ones(4, np.float32), CONTRACT, "ana/1.jpg", face)
    embedder = FakeEmbedder({CODE: [0.0, 1.0, 0.0, 0.0]})
    return CameraWorker(
        "cam", FakeAligner(), embedder, Watchlist.from_templates(CONTRACT, [ana]), EngineConfig()
    )


def test_a_late_frame_is_carried_not_searched() -> None:
    detector = CountingDetector()
    summary = run_camera(
        ListSource([0.0, 0.5, 0.0, 0.5, 0.5, 0.0]), detector, worker(), no_alert, late_s=0.02
    )
    assert detector.searched == [0, 2, 5]  # the frames picked up on time
    assert summary.frames == 6 and summary.frames_carried == 3
    assert summary.face_detections == 3 and summary.tracks == 1  # carried frames keep it


def test_without_a_lateness_limit_every_frame_is_searched() -> None:
    detector = CountingDetector()
    summary = run_camera(ListSource([0.5] * 4), detector, worker(), no_alert, late_s=0.0)
    assert detector.searched == [0, 1, 2, 3] and summary.frames_carried == 0


def test_still_photos_are_always_searched() -> None:
    detector = CountingDetector()
    source = ListSource([0.5] * 3, still_images=True)
    summary = run_camera(source, detector, worker(), no_alert, late_s=0.02)
    assert detector.searched == [0, 1, 2] and summary.frames_carried == 0


def test_a_carried_frame_neither_moves_nor_ages_tracks() -> None:
    camera = worker()
    config = EngineConfig()
    faces = [(FACE, CODE)]
    camera.process(frame_with_faces(0, faces), [Detection(FACE, 1.0)])
    for index in range(1, config.tracker.max_missed_frames + 5):  # longer than a track survives
        camera.carry(frame_with_faces(index, faces))
    update = camera.process(frame_with_faces(20, faces), [Detection(FACE, 1.0)])
    assert update == [] and camera.tracks == 1  # the same track continued
    assert camera.counts.frames_carried == config.tracker.max_missed_frames + 4


def test_only_a_live_source_has_late_frames() -> None:
    def scan(realtime: bool) -> tuple[list[int], int]:
        detector = CountingDetector()
        face = encode_jpeg(np.zeros((8, 8, 3), np.uint8))
        ana = Template(subject("ana"), np.ones(4, np.float32), CONTRACT, "ana/1.jpg", face)
        engine = Engine(
            EngineConfig(), detector, FakeAligner(), FakeEmbedder({CODE: [0.0, 1.0, 0.0, 0.0]})
        )
        source = ListSource([0.0, 0.5, 0.5], realtime=realtime)
        summary = run_source(engine, source, Watchlist.from_templates(CONTRACT, [ana]), no_alert)
        return detector.searched, summary.frames_carried

    assert scan(realtime=True) == ([0], 2)  # the camera's pace: late frames are carried
    assert scan(realtime=False) == ([0, 1, 2], 0)  # read offline: every frame is searched
