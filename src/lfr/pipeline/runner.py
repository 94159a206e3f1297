"""Drive one camera: read frames, detect on a helper thread, feed the worker, publish alerts.

dlib's HOG detector releases the GIL while the ResNet descriptor does not, so detecting frame
n+1 on a second thread while the worker embeds faces of frame n uses both cores. A live frame
picked up late (the camera is behind) is not detected but carried: its tracks wait for the
next frame, which the camera then reaches in time, rather than the source dropping frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from lfr.detect.base import FaceDetector
from lfr.domain import Alert, Detection, Frame, RunSummary
from lfr.ingest.base import FrameSource
from lfr.pipeline.worker import CameraWorker

AlertHandler = Callable[[Alert], None]
ProgressHandler = Callable[[int, int, int, int], None]
"""Told after each frame: (frames, face detections, tracks, lookalikes suppressed) so far -
counts, never faces."""


def run_camera(
    source: FrameSource,
    detector: FaceDetector,
    worker: CameraWorker,
    on_alert: AlertHandler,
    max_frames: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: ProgressHandler | None = None,
    late_s: float = 0.0,
) -> RunSummary:
    """``late_s``: a frame picked up more than this after it was captured is not searched for
    faces but carried (``CameraWorker.carry``), so the camera catches up instead of its
    source dropping the next frame; 0 searches every frame."""
    started = time.perf_counter()
    detect_seconds = 0.0

    def timed_detect(frame: Frame) -> list[Detection] | None:
        nonlocal detect_seconds
        t0 = time.perf_counter()
        found = detector.detect(frame.image)
        detect_seconds += time.perf_counter() - t0
        return found

    def start(frame: Frame | None) -> Future[list[Detection] | None] | None:
        if frame is None:
            return None
        if late_s and not source.still_images and _age_s(frame) > late_s:
            carried: Future[list[Detection] | None] = Future()
            carried.set_result(None)
            return carried
        return pool.submit(timed_detect, frame)

    frames = _limited(source.frames(), max_frames)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="detect") as pool:
        current = next(frames, None)
        pending = start(current)
        while current is not None and pending is not None and not should_stop():
            detections = pending.result()
            upcoming = next(frames, None)
            pending = start(upcoming)
            if detections is None:
                alerts = worker.carry(current)
            else:
                alerts = worker.process(current, detections)
            for alert in alerts:
                on_alert(alert)
            if on_progress is not None:
                counts = worker.counts
                on_progress(
                    counts.frames,
                    counts.face_detections,
                    worker.tracks,
                    counts.lookalikes_suppressed,
                )
            if source.still_images:  # unrelated photos: no track continues into the next one
                for alert in worker.finish():
                    on_alert(alert)
            current = upcoming
        if pending is not None:
            pending.cancel()
    for alert in worker.finish():
        on_alert(alert)
    source_stats = source.stats()
    worker.times.add("detect", detect_seconds)
    counts = worker.counts
    return RunSummary(
        frames=counts.frames,
        frames_dropped=source_stats.frames_dropped,
        face_detections=counts.face_detections,
        tracks=worker.tracks,
        embeddings=counts.embeddings,
        alerts=counts.alerts,
        stage_ms=worker.times.per_frame_ms(counts.frames),
        wall_s=time.perf_counter() - started,
        source_error=source_stats.error,
        frames_carried=counts.frames_carried,
        lookalikes_suppressed=counts.lookalikes_suppressed,
    )


def _age_s(frame: Frame) -> float:
    return time.monotonic() - frame.captured_at if frame.captured_at else 0.0


def _limited(frames: Iterator[Frame], limit: int | None) -> Iterator[Frame]:
    for count, frame in enumerate(frames):
        if limit is not None and count >= limit:
            return
        yield frame
