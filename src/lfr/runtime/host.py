"""The camera side of the bus inside ``lfr serve``: runs a live deployment's cameras on a
background thread (``lfr.governance.live.run_deployment``) and publishes what happens.

Published: each stored alert (``topics.ALERT``, under the engine's alert id), each camera's
health once a second (frames, frames per second, dropped frames, reconnects, last frame time),
the face detections and detection times of each deployment, and when a run starts and stops.
Counts only: no frame, face or descriptor ever reaches the bus.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.detect.base import FaceDetector
from lfr.domain import Alert, Detection, Image
from lfr.errors import StateError
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.governance.deployments import get_deployment
from lfr.governance.live import SourceOpener, run_deployment
from lfr.ingest import factory
from lfr.ingest.base import FrameSource
from lfr.ingest.redact import redact_text
from lfr.ingest.stream import StreamSource
from lfr.ingest.synthetic import SyntheticClipSource
from lfr.pipeline.engine import Engine

log = logging.getLogger(__name__)


class LoopingDemoClip(SyntheticClipSource):
    """The built-in demo clip played like a live camera, over and over (the engine's per-subject
    cool-down makes that one alert a minute, not one a loop)."""

    def __init__(self, camera: str) -> None:
        super().__init__(camera=camera, realtime=True)

    def _images(self) -> Generator[Image, None, None]:
        for index in itertools.count():
            yield self.render(index % self.n_frames)


def open_live(spec: str, camera: str) -> FrameSource:
    """Sources as live cameras: ``demo`` loops the demo clip, video files play at their own
    pace (frames the engine cannot keep up with are dropped), streams are live anyway."""
    if spec.strip() == factory.DEMO:
        return LoopingDemoClip(camera)
    return factory.open_source(spec, camera=camera, realtime=True)


class _CountingDetector:
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
        self.closed = threading.Event()
        self.engines: list[Engine] = []
        """Built for this run's cameras; closed when it ends (an embedder may own a process)."""

    def add(self, camera: str, source: FrameSource) -> FrameSource:
        with self._lock:
            self._sources[camera] = source
            self._last[camera] = {"processed": 0, "dropped": 0, "at": time.monotonic()}
        if self.closed.is_set():
            _close(source)
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
            _close(source)

    def loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_s):
            self.tick("running")

    def tick(self, state: str, errors: dict[str, str] | None = None) -> None:
        with self._lock:
            sources = dict(self._sources)
            detections, self._detections = self._detections, 0
            samples, self._detect_seconds = self._detect_seconds, []
        for camera, source in sources.items():
            error = (errors or {}).get(camera)
            self.bus.publish(topics.CAMERA_HEALTH, self._health(camera, source, state, error))
        for camera, error in (errors or {}).items():
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
        problem = error or stats.error
        return {
            "deployment_id": self.deployment_id,
            "camera": camera,
            "state": "error" if problem else state,
            "frames_read": stats.frames_read,
            "frames": processed,
            "frames_dropped": stats.frames_dropped,
            "frames_delta": max(0, frames_delta),
            "dropped_delta": max(0, dropped_delta),
            "reconnects": stats.reconnects,
            "fps": round(max(0, frames_delta) / elapsed, 2) if state == "running" else 0.0,
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


EngineFactory = Callable[[], Engine]


class CameraHost:
    """Starts and watches the camera runs of live deployments; one background thread each."""

    def __init__(
        self,
        services: Services,
        bus: EventBus,
        engine_factory: EngineFactory,
        open_source: SourceOpener = open_live,
        health_every_s: float = 1.0,
    ) -> None:
        self.services = services
        self.bus = bus
        self.engine_factory = engine_factory
        self.open_source = open_source
        self.health_every_s = health_every_s
        self._lock = threading.Lock()
        self._runs: dict[int, tuple[threading.Thread, RunMonitor]] = {}
        self._stopping = False

    def run(self, actor: Actor, deployment_id: int) -> None:
        """Start the cameras of a live deployment (an operator's action); refused, with the
        reason, when the actor may not, the deployment is not live or it already runs."""
        require(actor, Action.DEPLOYMENT_RUN)
        view = get_deployment(self.services, actor, deployment_id)
        if view.state != "live":
            raise StateError(
                f"deployment {deployment_id} is {view.state}; only a live deployment's cameras"
                " can run"
            )
        with self._lock:
            if self._stopping:
                raise StateError("the server is shutting down")
            current = self._runs.get(deployment_id)
            if current is not None and current[0].is_alive():
                raise StateError(f"the cameras of deployment {deployment_id} are already running")
            monitor = RunMonitor(self.bus, deployment_id, self.health_every_s)
            thread = threading.Thread(
                target=self._run,
                args=(actor, deployment_id, monitor),
                name=f"deployment-{deployment_id}",
                daemon=True,
            )
            self._runs[deployment_id] = (thread, monitor)
            thread.start()

    def running(self) -> list[int]:
        with self._lock:
            return sorted(d for d, (thread, _) in self._runs.items() if thread.is_alive())

    def stop_all(self, timeout_s: float = 15.0) -> None:
        """Close every source so the runs end (their counts are still stored), then wait."""
        with self._lock:
            self._stopping = True
            runs = list(self._runs.values())
        for _, monitor in runs:
            monitor.close_sources()
        deadline = time.monotonic() + timeout_s
        for thread, _ in runs:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run(self, actor: Actor, deployment_id: int, monitor: RunMonitor) -> None:
        self.bus.publish(
            topics.RUN, {"deployment_id": deployment_id, "state": "running", "by": actor.username}
        )
        stop_ticks = threading.Event()
        ticker = threading.Thread(
            target=monitor.loop, args=(stop_ticks,), name=f"health-{deployment_id}", daemon=True
        )
        ticker.start()
        result: dict[str, Any] = {}
        error: str | None = None
        try:
            result = run_deployment(
                self.services,
                actor,
                deployment_id,
                lambda: self._engine(monitor),
                lambda spec, camera: monitor.add(camera, self.open_source(spec, camera)),
                on_alert_stored=lambda alert: self._announce(deployment_id, alert),
            )
        except Exception as exc:  # reported on the bus; the server keeps serving
            error = redact_text(str(exc)) or type(exc).__name__
            log.error("deployment %s: cameras stopped: %s", deployment_id, error)
        finally:
            stop_ticks.set()
            ticker.join()
            for engine in monitor.engines:
                _close_engine(engine)
            cameras = result.get("cameras", {})
            errors = {name: str(r["error"]) for name, r in cameras.items() if r.get("error")}
            monitor.tick("stopped", errors)
            self.bus.publish(topics.RUN, _stopped(deployment_id, result, error))

    def _engine(self, monitor: RunMonitor) -> Engine:
        engine = self.engine_factory()
        monitor.engines.append(engine)
        return replace(engine, detector=_CountingDetector(engine.detector, monitor))

    def _announce(self, deployment_id: int, alert: Alert) -> None:
        store_s = time.monotonic() - alert.raised_at if alert.raised_at else None
        timings = {"engine_latency_s": round(alert.latency_s, 4)}
        if store_s is not None and 0 <= store_s < 3600:
            timings["store_s"] = round(store_s, 4)
        topics.publish_alert(self.bus, deployment_id, alert.id, alert.camera, **timings)


def _stopped(deployment_id: int, result: dict[str, Any], error: str | None) -> dict[str, Any]:
    return {
        "deployment_id": deployment_id,
        "state": "stopped",
        "error": error,
        "stopped": result.get("stopped"),
        "frames": int(result.get("frames", 0)),
        "faces_seen": int(result.get("faces_seen", 0)),
        "tracks": int(result.get("tracks", 0)),
        "alerts_stored": int(result.get("alerts_stored", 0)),
    }


def _close(source: FrameSource) -> None:
    try:
        if isinstance(source, StreamSource):
            source.close(join_s=0.0)
        else:
            source.close()
    except Exception:  # closing is best effort; the run's own cleanup closes it again
        log.debug("closing %s failed", source.description, exc_info=True)


def _close_engine(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            log.warning("closing a camera engine failed", exc_info=True)


def _iso(timestamp: object) -> str | None:
    if not isinstance(timestamp, int | float):
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
