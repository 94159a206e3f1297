"""The lfr side of what is measured: the pipeline on a video file, alone or several at once,
the real `lfr run` command as a cross-check, and the 720p copy of the clip."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
from tqdm import tqdm

from common import frame_count, percentiles
from lfr.domain import Alert, Frame, RunSummary
from lfr.ingest.base import FrameSource, SourceStats
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from records import AlertRecord, LfrRun


class TimedSource:
    """Wraps a FrameSource: time spent fetching each frame, frame age at pickup, progress."""

    def __init__(self, inner: FrameSource, bar: tqdm[Any] | None) -> None:
        self.inner = inner
        self.camera = inner.camera
        self.description = inner.description
        # Newer FrameSource protocols carry this flag; a video file is never still images.
        self.still_images: bool = bool(getattr(inner, "still_images", False))
        self.realtime: bool = bool(getattr(inner, "realtime", False))
        self.fetch_s = 0.0
        self.ages_ms: list[float] = []
        self._bar = bar

    def frames(self) -> Iterator[Frame]:
        iterator = self.inner.frames()
        while True:
            started = time.perf_counter()
            frame = next(iterator, None)
            self.fetch_s += time.perf_counter() - started
            if frame is None:
                return
            if frame.captured_at:
                self.ages_ms.append(1000.0 * (time.monotonic() - frame.captured_at))
            if self._bar is not None:
                self._bar.update(1)
            yield frame

    def stats(self) -> SourceStats:
        return self.inner.stats()

    def close(self) -> None:
        self.inner.close()


def run_lfr(
    label: str,
    engine: Engine,
    watchlist: Watchlist,
    clip: Path,
    realtime: bool,
    progress: bool,
    camera: str = "hamilton",
    max_frames: int | None = None,
    start: threading.Barrier | None = None,
) -> LfrRun:
    """One `lfr run` scan of ``clip`` in this process; ``start`` lines up concurrent streams."""
    source = VideoFileSource(clip, camera=camera, realtime=realtime)
    total = max_frames or frame_count(clip)
    alerts: list[Alert] = []
    with tqdm(total=total, desc=label, unit="fr", disable=not progress, leave=False) as bar:
        timed = TimedSource(source, bar)
        if start is not None:
            start.wait()
        summary: RunSummary = run_source(engine, timed, watchlist, alerts.append, max_frames)
    return lfr_record(label, summary, timed, alerts, realtime)


def lfr_record(
    label: str, summary: RunSummary, timed: TimedSource, alerts: list[Alert], realtime: bool
) -> LfrRun:
    stats = timed.stats()
    stage_ms = {k: round(v, 2) for k, v in sorted(summary.stage_ms.items())}
    if not realtime:  # in realtime mode this is waiting for the paced player, not decoding
        stage_ms = {"decode": round(1000.0 * timed.fetch_s / max(summary.frames, 1), 2), **stage_ms}
    return LfrRun(
        label=label,
        frames=summary.frames,
        frames_read=stats.frames_read,
        frames_dropped=summary.frames_dropped,
        face_detections=summary.face_detections,
        tracks=summary.tracks,
        embeddings=summary.embeddings,
        wall_s=round(summary.wall_s, 3),
        fps=round(summary.frames / summary.wall_s, 2) if summary.wall_s else 0.0,
        stage_ms=stage_ms,
        alerts=[AlertRecord.of(a) for a in alerts],
        pickup_age_ms=percentiles(timed.ages_ms) if realtime else {},
        frames_carried=summary.frames_carried,
    )


def run_concurrently(jobs: list[Callable[[threading.Barrier], LfrRun]]) -> list[LfrRun]:
    """Start every job at the same moment, each on its own thread; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    results: list[LfrRun | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            results[i] = jobs[i](barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()  # free the other threads waiting at the start line

    threads = [
        threading.Thread(target=target, args=(i,), name=f"bench-{i}") for i in range(len(jobs))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


def run_cli(clip: Path, watchlist_dir: Path) -> dict[str, Any]:
    """``lfr run CLIP --watchlist-dir DIR --json`` as a user runs it, in a child process.

    Its wall time includes interpreter start, model loading and enrolment; its summary line
    (``summary_record``) has the scan's own frames per second.
    """
    command = [sys.executable, "-m", "lfr", "run", str(clip), "--watchlist-dir",
               str(watchlist_dir), "--json"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    records: list[dict[str, Any]] = [
        json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")
    ]
    summary: dict[str, Any] = next((r for r in records if r.get("type") == "summary"), {})
    return {
        "command": "lfr run <clip> --watchlist-dir <watchlist> --json",
        "exit_code": done.returncode,
        "wall_s": round(wall, 2),
        "summary": summary,
        "alerts": [r for r in records if r.get("type") == "alert"],
        "stderr_tail": done.stderr.strip().splitlines()[-3:],
    }


def make_720p(clip: Path, out: Path, fps: float, force: bool) -> tuple[Path, int]:
    """The clip upscaled to 1280x720 (INTER_LINEAR), written at ``fps`` with mp4v.

    Kept between runs, so that every run plays the same file; ``force`` rewrites it.
    """
    if out.exists() and not force and frame_count(out) > 0:
        return out, frame_count(out)
    capture = cv2.VideoCapture(str(clip))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, (1280, 720))
    if not writer.isOpened():
        raise SystemExit(f"bench: OpenCV cannot write {out} with mp4v")
    written = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            writer.write(cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_LINEAR))
            written += 1
    finally:
        capture.release()
        writer.release()
    return out, written
