"""The camera side of the bus inside ``lfr serve``: runs each live deployment's cameras on a
background thread (``lfr.runtime.deployment.run_live``) and publishes what happens.

Published: each stored alert (``topics.ALERT``, under the engine's alert id), each camera's
health once a second (frames, frames per second, dropped frames, reconnects, last frame time),
the face detections and detection times of each deployment, and when a run starts and stops.
Counts only: no frame, face or descriptor ever reaches the bus.

The host keeps a ledger of the runs it has started (``ledger``, a small JSON file): a run leaves
it when it ends by itself (sources ended, deployment over), not when the server stops or dies,
so ``resume`` restarts those cameras when the server starts again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.errors import LfrError, StateError
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
        *,
        counts_every_s: float = 60.0,
        ledger: Path | None = None,
    ) -> None:
        self.port = port
        self.bus = bus
        self.engine_factory = engine_factory
        self.open_source = open_source
        self.health_every_s = health_every_s
        self.counts_every_s = counts_every_s
        self._ledger = RunLedger(ledger)
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
            try:
                self._check_can_start(deployment_id)
            except LfrError:
                live.watchlist.wipe()
                raise
            monitor = RunMonitor(self.bus, deployment_id, self.health_every_s)
            thread = threading.Thread(
                target=self._run,
                args=(actor, live, monitor),
                name=f"deployment-{deployment_id}",
                daemon=True,
            )
            self._runs[deployment_id] = (thread, monitor)
            self._ledger.add(deployment_id)
            thread.start()

    def resume(self, actor: Actor) -> list[int]:
        """Start again the runs that were going when this host last stopped (or died); a
        deployment that may no longer run (ended, window over) leaves the ledger."""
        resumed = []
        for deployment_id in self._ledger.ids():
            try:
                self.run(actor, deployment_id)
            except LfrError as exc:
                log.info("deployment %s: cameras not resumed: %s", deployment_id, exc)
                self._ledger.remove(deployment_id)
            else:
                log.info("deployment %s: cameras resumed", deployment_id)
                resumed.append(deployment_id)
        return resumed

    def running(self) -> list[int]:
        with self._lock:
            return sorted(d for d, (thread, _) in self._runs.items() if thread.is_alive())

    def stop(self, deployment_id: int, timeout_s: float = 15.0) -> bool:
        """Close this deployment's sources and wait for its run to end, having stored its last
        counts (before End publishes the record); False when its cameras were not running."""
        with self._lock:
            run = self._runs.get(deployment_id)
        if run is None or not run[0].is_alive():
            return False
        thread, monitor = run
        monitor.close_sources()
        thread.join(timeout_s)
        return True

    def stop_all(self, timeout_s: float = 15.0) -> list[int]:
        """Close every source so the runs end (their counts are still stored), then wait;
        returns the deployments whose cameras were running (they stay in the ledger)."""
        with self._lock:
            self._stopping = True
            runs = {d: run for d, run in self._runs.items() if run[0].is_alive()}
        for _, monitor in runs.values():
            monitor.close_sources()
        deadline = time.monotonic() + timeout_s
        for thread, _ in runs.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        return sorted(runs)

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
                counts_every_s=self.counts_every_s,
                on_alert_stored=lambda alert: self._announce(deployment_id, alert),
                on_camera_done=monitor.camera_done,
            )
        except Exception as exc:  # reported on the bus; the server keeps serving
            error = redact_text(str(exc)) or type(exc).__name__
            log.error("deployment %s: cameras stopped: %s", deployment_id, error)
        finally:
            stop_ticks.set()
            ticker.join()
            for engine in monitor.engines:
                _close_engine(engine)
            live.watchlist.wipe()  # zeroed, not merely dropped: nothing of it stays in memory
            with self._lock:
                if not self._stopping:  # it ended by itself: nothing to resume
                    self._ledger.remove(deployment_id)
            monitor.tick("stopped", _camera_errors(report))
            self.bus.publish(topics.RUN, _stopped(deployment_id, report, error))

    def _engine(self, monitor: RunMonitor) -> Engine:
        engine = self.engine_factory()
        monitor.engines.append(engine)
        return replace(engine, detector=CountingDetector(engine.detector, monitor))

    def _announce(self, deployment_id: int, alert: Alert) -> None:
        topics.announce_stored(self.bus, deployment_id, alert)


class RunLedger:
    """The deployments whose cameras this host runs, kept in a file so that they outlive the
    process (none kept without a path). Only ids: nothing about anyone."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()

    def ids(self) -> list[int]:
        with self._lock:
            return sorted(self._read())

    def add(self, deployment_id: int) -> None:
        with self._lock:
            self._write(self._read() | {deployment_id})

    def remove(self, deployment_id: int) -> None:
        with self._lock:
            self._write(self._read() - {deployment_id})

    def _read(self) -> set[int]:
        if self._path is None:
            return set()
        try:
            body = json.loads(self._path.read_text(encoding="utf-8"))
            return {int(i) for i in body.get("deployments", [])}
        except FileNotFoundError:
            return set()
        except (ValueError, TypeError, AttributeError):
            log.warning("%s is unreadable: no camera run will be resumed from it", self._path)
            return set()

    def _write(self, ids: set[int]) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"deployments": sorted(ids)}), encoding="utf-8")
        os.replace(temporary, self._path)  # never a half-written ledger, even on kill -9


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
        "lookalikes_suppressed": totals.lookalikes_suppressed,
    }


def _close_engine(engine: Engine) -> None:
    try:
        engine.close()
    except Exception:
        log.warning("closing a camera engine failed", exc_info=True)
