"""Run the camera workers of a live deployment against its frozen snapshot.

One thread per camera, each with its own engine (dlib objects are not shared between threads).
Alerts go straight into the governed store; the only trace of everyone else is the counts added
when the sources stop. Once a second the supervisor checks that the deployment is still live
and inside its window, and once a minute it runs the schedule (automatic end, emergency
refusals); the workers stop as soon as either check fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Alert
from lfr.errors import LfrError, NotFoundError, StateError
from lfr.governance.alert_intake import add_counts, store_alert
from lfr.governance.deployments import WINDOW_ENDED, enforce_schedule, load_snapshot
from lfr.ingest import factory
from lfr.ingest.base import FrameSource
from lfr.ingest.redact import redact_text
from lfr.ingest.stream import StreamSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from lfr.store.tables import Deployment

log = logging.getLogger(__name__)

EngineFactory = Callable[[], Engine]
SourceOpener = Callable[[str, str], FrameSource]
"""(source spec, camera name) -> an open frame source."""
AlertStored = Callable[[Alert], None]
"""Told of each alert once it is stored (e.g. to publish it on the event bus); a failure here
is logged and never stops the camera."""


def open_camera(spec: str, camera: str) -> FrameSource:
    return factory.open_source(spec, camera=camera)


def run_deployment(
    services: Services,
    actor: Actor,
    deployment_id: int,
    engine_factory: EngineFactory,
    open_source: SourceOpener = open_camera,
    max_frames: int | None = None,
    *,
    check_every_s: float = 1.0,
    schedule_every_s: float = 60.0,
    on_alert_stored: AlertStored | None = None,
) -> dict[str, Any]:
    """Scan every camera of a live deployment until its sources end, it stops being live or its
    window closes. Returns per-camera summaries (counts only) and the totals stored."""
    require(actor, Action.DEPLOYMENT_RUN)
    cameras, threshold = _live_cameras(services, deployment_id)
    watchlist = load_snapshot(services, actor, deployment_id)
    run = _Run(services, deployment_id, watchlist, threshold, engine_factory, open_source)
    run.on_alert_stored = on_alert_stored
    threads = [
        threading.Thread(
            target=run.camera, args=(name, spec, max_frames), name=f"camera-{name}", daemon=True
        )
        for name, spec in cameras.items()
    ]
    for thread in threads:
        thread.start()
    stopped: str | None = None
    try:
        stopped = _supervise(services, deployment_id, threads, run, check_every_s, schedule_every_s)
    finally:
        run.halt()
        for thread in threads:
            thread.join()
        totals = run.totals()
        counted = False
        if any(totals.values()):
            try:
                counted = add_counts(services, deployment_id, **totals)
            except LfrError as exc:
                log.warning("deployment %s: counts not stored: %s", deployment_id, exc)
        if stopped == WINDOW_ENDED:
            _enforce(services, run.lock)
    return {
        "deployment_id": deployment_id,
        "snapshot_size": watchlist.size,
        "cameras": run.results,
        **totals,
        "counts_stored": counted,
        "alerts_stored": sum(int(r.get("alerts_stored", 0)) for r in run.results.values()),
        "stopped": stopped,
    }


class _Run:
    """What the camera threads share: the stop flag, a lock serialising writes, the results."""

    def __init__(
        self,
        services: Services,
        deployment_id: int,
        watchlist: Watchlist,
        threshold: float,
        engine_factory: EngineFactory,
        open_source: SourceOpener,
    ) -> None:
        self.services = services
        self.deployment_id = deployment_id
        self.watchlist = watchlist
        self.threshold = threshold
        self.engine_factory = engine_factory
        self.open_source = open_source
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.results: dict[str, dict[str, Any]] = {}
        self.sources: list[FrameSource] = []
        self.on_alert_stored: AlertStored | None = None

    def halt(self) -> None:
        """Stop every camera. The workers check the flag between frames; a network stream
        waiting for a frame or to reconnect is closed too (it is made to be closed from another
        thread), so a dead camera cannot hold the deployment open."""
        self.stop.set()
        for source in list(self.sources):
            if isinstance(source, StreamSource):
                source.close(join_s=0.0)

    def camera(self, name: str, spec: str, max_frames: int | None) -> None:
        result: dict[str, Any] = {"alerts_stored": 0, "alerts_refused": 0}
        self.results[name] = result

        def on_alert(alert: Alert) -> None:
            stored = False
            with self.lock:
                try:
                    if store_alert(self.services, self.deployment_id, alert):
                        result["alerts_stored"] += 1
                        stored = True
                except LfrError as exc:
                    result["alerts_refused"] += 1
                    log.warning("camera %s: alert %s not stored: %s", name, alert.id, exc)
                    self.halt()
            if stored and self.on_alert_stored is not None:
                try:
                    self.on_alert_stored(alert)
                except Exception:
                    log.exception("camera %s: alert %s stored, but not announced", name, alert.id)

        try:
            engine = self.engine_factory()
            engine = replace(engine, config=engine.config.with_threshold(self.threshold))
            source = self.open_source(spec, name)
            self.sources.append(source)
            if self.stop.is_set():
                self.halt()
            summary = run_source(
                engine,
                source,
                self.watchlist,
                on_alert,
                max_frames=max_frames,
                should_stop=self.stop.is_set,
            )
        except Exception as exc:  # one camera failing must not take the others down
            result["error"] = redact_text(str(exc)) or type(exc).__name__
            log.error("camera %s stopped: %s", name, result["error"])
            return
        result.update(
            frames=summary.frames,
            frames_dropped=summary.frames_dropped,
            faces_seen=summary.faces_seen,
            tracks=summary.tracks,
            alerts=summary.alerts,
            wall_s=round(summary.wall_s, 3),
            source_error=summary.source_error,
        )

    def totals(self) -> dict[str, int]:
        return {
            key: sum(int(r.get(key, 0)) for r in self.results.values())
            for key in ("frames", "faces_seen", "tracks")
        }


def _supervise(
    services: Services,
    deployment_id: int,
    threads: list[threading.Thread],
    run: _Run,
    check_every_s: float,
    schedule_every_s: float,
) -> str | None:
    """Watch the deployment while the cameras run; set the stop flag when it must stop."""
    stopped: str | None = None
    last_schedule = time.monotonic()
    while any(t.is_alive() for t in threads):
        next(t for t in threads if t.is_alive()).join(timeout=check_every_s)
        if time.monotonic() - last_schedule >= schedule_every_s:
            last_schedule = time.monotonic()
            _enforce(services, run.lock)
        if stopped is None:
            stopped = _why_stop(services, deployment_id)
            if stopped is not None:
                log.info("deployment %s: stopping cameras (%s)", deployment_id, stopped)
                run.halt()
    return stopped


def _why_stop(services: Services, deployment_id: int) -> str | None:
    try:
        with services.transaction() as session:
            row = session.get(Deployment, deployment_id)
            if row is None or row.state != "live":
                return f"deployment is {row.state if row else 'gone'}"
            if services.clock() >= row.ends_at:
                return WINDOW_ENDED
    except Exception as exc:  # a database hiccup must not stop the cameras
        log.warning("deployment %s: state check failed: %s", deployment_id, exc)
    return None


def _enforce(services: Services, lock: threading.Lock) -> None:
    try:
        with lock:
            for line in enforce_schedule(services):
                log.info("schedule: %s", line)
    except Exception as exc:
        log.warning("schedule enforcement failed: %s", exc)


def _live_cameras(services: Services, deployment_id: int) -> tuple[dict[str, str], float]:
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        if row is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        if row.state != "live":
            raise StateError(f"deployment {deployment_id} is {row.state}; it must be live to run")
        if services.clock() >= row.ends_at:
            raise StateError(f"deployment {deployment_id}'s window has ended")
        return {str(k): str(v) for k, v in row.cameras.items()}, row.threshold
