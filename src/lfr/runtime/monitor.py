"""Watching a run's sources: health once a second per camera, detections and detection times,
published on the bus. Counts only: no frame, face or descriptor ever reaches the bus."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

from lfr.detect.base import FaceDetector
from lfr.domain import Detection, Image
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.ingest.base import FrameSource
from lfr.ingest.redact import redact_text
from lfr.ingest.stream import StreamSource
from lfr.pipeline.engine import Engine

log = logging.getLogger(__name__)

ENDED = "ended"
"""A camera whose source came to its end (a file played through) while the run goes on."""


class CountingDetector:
    """Wraps the engine's detector to count faces and time each frame's detection."""

    def __init__(self, inner: FaceDetector, monitor: RunMonitor) -> None:
        self.name = inner.name
        self._inner = inner
        self._monitor = monitor

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        started = time.perf_counter()
        found = self._inner.detect(image, upsample)
        self._monitor.record_detect(len(found), time.perf_counter() - started)
        return found


class RunMonitor:
    """Watches one run's sources and publishes their health once every ``every_s``."""

    def __init__(self, bus: EventBus, deployment_id: int, every_s: float = 1.0) -> None:
        self.bus = bus
        self.deployment_id = deployment_id
        self.every_s = every_s
        self._lock = threading.Lock()
        self._sources: dict[str, FrameSource] = {}
        self._last: dict[str, dict[str, Any]] = {}
        self._detections = 0
        self._detect_seconds: list[float] = []
        self._done: dict[str, str | None] = {}
        """Cameras that stopped before the run did: their error, or None for a source that
        ended (a file played to its end)."""
        self.closed = threading.Event()
        self.engines: list[Engine] = []
        """Built for this run's cameras; closed when it ends (an embedder may own a process)."""

    def add(self, camera: str, source: FrameSource) -> FrameSource:
        with self._lock:
            self._sources[camera] = source
            self._last[camera] = {"processed": 0, "dropped": 0, "at": time.monotonic()}
        if self.closed.is_set():
            close_source(source)
        return source

    def record_detect(self, faces: int, seconds: float) -> None:
        with self._lock:
            self._detections += faces
            if len(self._detect_seconds) < 1000:
                self._detect_seconds.append(seconds)

    def close_sources(self) -> None:
        self.closed.set()
        with self._lock:
            sources = list(self._sources.values())
        for source in sources:
            close_source(source)

    def camera_done(self, camera: str, error: str | None) -> None:
        """``camera`` stopped while the run goes on: shown at once, and on every tick after,
        as ended or failed with its reason (never silently gone)."""
        with self._lock:
            self._done[camera] = error
            source = self._sources.get(camera)
        if source is None:
            self.bus.publish(topics.CAMERA_HEALTH, self._failed(camera, error or "no source"))
        else:
            self.bus.publish(topics.CAMERA_HEALTH, self._health(camera, source, "running", error))

    def loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_s):
            self.tick("running")

    def tick(self, state: str, errors: dict[str, str] | None = None) -> None:
        with self._lock:
            sources = dict(self._sources)
            done = dict(self._done)
            detections, self._detections = self._detections, 0
            samples, self._detect_seconds = self._detect_seconds, []
        failed = {camera: error for camera, error in done.items() if error} | (errors or {})
        for camera, source in sources.items():
            error = failed.get(camera)
            self.bus.publish(topics.CAMERA_HEALTH, self._health(camera, source, state, error))
        for camera, error in failed.items():
            if camera not in sources:  # never opened: its engine or source failed first
                self.bus.publish(topics.CAMERA_HEALTH, self._failed(camera, error))
        if detections or samples:
            self.bus.publish(
                topics.ENGINE_STATS,
                {
                    "deployment_id": self.deployment_id,
                    "face_detections": detections,
                    "detect_seconds": samples,
                },
            )

    def _health(
        self, camera: str, source: FrameSource, state: str, error: str | None
    ) -> dict[str, Any]:
        stats = source.stats()
        now = time.monotonic()
        processed = max(0, stats.frames_read - stats.frames_dropped)
        with self._lock:
            last = self._last[camera]
            elapsed = max(1e-6, now - float(last["at"]))
            frames_delta = processed - int(last["processed"])
            dropped_delta = stats.frames_dropped - int(last["dropped"])
            if frames_delta > 0:
                last["last_frame_ts"] = time.time()
            last.update(processed=processed, dropped=stats.frames_dropped, at=now)
            last_frame_ts = last.get("last_frame_ts")
            ended = camera in self._done and self._done[camera] is None
        problem = error or stats.error
        shown = "error" if problem else ENDED if ended and state == "running" else state
        return {
            "deployment_id": self.deployment_id,
            "camera": camera,
            "state": shown,
            "frames_read": stats.frames_read,
            "frames": processed,
            "frames_dropped": stats.frames_dropped,
            "frames_delta": max(0, frames_delta),
            "dropped_delta": max(0, dropped_delta),
            "reconnects": stats.reconnects,
            "fps": round(max(0, frames_delta) / elapsed, 2)
            if state == "running" and not ended
            else 0.0,
            "last_frame_ts": last_frame_ts,
            "last_frame_at": _iso(last_frame_ts),
            "error": redact_text(problem) if problem else None,
            "source": source.description,
        }

    def _failed(self, camera: str, error: str) -> dict[str, Any]:
        return {
            "deployment_id": self.deployment_id,
            "camera": camera,
            "state": "error",
            "frames_read": 0,
            "frames": 0,
            "frames_dropped": 0,
            "frames_delta": 0,
            "dropped_delta": 0,
            "reconnects": 0,
            "fps": 0.0,
            "last_frame_ts": None,
            "last_frame_at": None,
            "error": error,
            "source": "",
        }


def close_source(source: FrameSource) -> None:
    try:
        if isinstance(source, StreamSource):
            source.close(join_s=0.0)
        else:
            source.close()
    except Exception:  # closing is best effort; the run's own cleanup closes it again
        log.debug("closing %s failed", source.description, exc_info=True)


def _iso(timestamp: object) -> str | None:
    if not isinstance(timestamp, int | float):
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
