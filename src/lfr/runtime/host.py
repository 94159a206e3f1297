"""The camera side of the bus inside ``lfr serve``: runs each live deployment's cameras on a
background thread (``lfr.runtime.deployment.run_live``) and publishes what happens.

Published: each stored alert (``topics.ALERT``, under the engine's alert id), each camera's
health once a second (frames, frames per second, dropped frames, reconnects, last frame time),
the face detections and detection times of each deployment, and when a run starts and stops.
Counts only: no frame, face or descriptor ever reaches the bus.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.errors import StateError
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.ingest.redact import redact_text
from lfr.pipeline.engine import Engine
from lfr.runtime.deployment import EngineFactory, run_live
from lfr.runtime.monitor import CountingDetector, RunMonitor
from lfr.runtime.port import DeploymentPort, LiveDeployment, RunCounts
from lfr.runtime.report import RunReport
from lfr.runtime.sources import SourceOpener, open_live

log = logging.getLogger(__name__)


class CameraHost:
    """Starts and watches the camera runs of live deployments; one background thread each."""

    def __init__(
        self,
        port: DeploymentPort,
        bus: EventBus,
        engine_factory: EngineFactory,
        open_source: SourceOpener = open_live,
        health_every_s: float = 1.0,
    ) -> None:
        self.port = port
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
        with self._lock:
            self._check_can_start(deployment_id)
        live = self.port.open_run(actor, deployment_id)
        with self._lock:
            self._check_can_start(deployment_id)
            monitor = RunMonitor(self.bus, deployment_id, self.health_every_s)
            thread = threading.Thread(
                target=self._run,
                args=(actor, live, monitor),
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

    def _check_can_start(self, deployment_id: int) -> None:
        if self._stopping:
            raise StateError("the server is shutting down")
        current = self._runs.get(deployment_id)
        if current is not None and current[0].is_alive():
            raise StateError(f"the cameras of deployment {deployment_id} are already running")

    def _run(self, actor: Actor, live: LiveDeployment, monitor: RunMonitor) -> None:
        deployment_id = live.deployment_id
        self.bus.publish(
            topics.RUN, {"deployment_id": deployment_id, "state": "running", "by": actor.username}
        )
        stop_ticks = threading.Event()
        ticker = threading.Thread(
            target=monitor.loop, args=(stop_ticks,), name=f"health-{deployment_id}", daemon=True
        )
        ticker.start()
        report: RunReport | None = None
        error: str | None = None
        try:
            report = run_live(
                self.port,
                live,
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
            monitor.tick("stopped", _camera_errors(report))
            self.bus.publish(topics.RUN, _stopped(deployment_id, report, error))

    def _engine(self, monitor: RunMonitor) -> Engine:
        engine = self.engine_factory()
        monitor.engines.append(engine)
        return replace(engine, detector=CountingDetector(engine.detector, monitor))

    def _announce(self, deployment_id: int, alert: Alert) -> None:
        store_s = time.monotonic() - alert.raised_at if alert.raised_at else None
        timings = {"engine_latency_s": round(alert.latency_s, 4)}
        if store_s is not None and 0 <= store_s < 3600:
            timings["store_s"] = round(store_s, 4)
        topics.publish_alert(self.bus, deployment_id, alert.id, alert.camera, **timings)


def _camera_errors(report: RunReport | None) -> dict[str, str]:
    if report is None:
        return {}
    return {name: camera.error for name, camera in report.cameras.items() if camera.error}


def _stopped(deployment_id: int, report: RunReport | None, error: str | None) -> dict[str, Any]:
    totals = report.totals if report is not None else RunCounts()
    return {
        "deployment_id": deployment_id,
        "state": "stopped",
        "error": error,
        "stopped": report.stopped if report is not None else None,
        "frames": totals.frames,
        "face_detections": totals.face_detections,
        "tracks": totals.tracks,
        "alerts_stored": report.alerts_stored if report is not None else 0,
    }


def _close_engine(engine: Engine) -> None:
    try:
        engine.close()
    except Exception:
        log.warning("closing a camera engine failed", exc_info=True)
