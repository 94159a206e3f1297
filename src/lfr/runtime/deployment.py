"""Run the camera workers of a live deployment against its frozen snapshot.

One thread per camera, each with its own engine (dlib objects are not shared between threads).
Alerts go straight to the port (the governed store); the only trace of everyone else is the
counts, added every ``counts_every_s`` while the cameras run and once more when they stop, so a
crash loses at most one interval of them. Once a second the supervisor asks the port whether
the deployment must stop (no longer live, window over) or ``stop`` was set (the process was
asked to stop), and once a minute it runs the schedule (automatic end, emergency refusals); the
workers stop as soon as any says so. At each check it also picks up the alerts operators have
rejected meanwhile ("not this person"), which the cameras then take as lookalike negatives.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.errors import LfrError
from lfr.ingest.base import FrameSource
from lfr.ingest.redact import redact_text
from lfr.ingest.stream import StreamSource
from lfr.pipeline.engine import Engine, run_source
from lfr.runtime.port import DeploymentPort, LiveDeployment, RunCounts
from lfr.runtime.report import CameraReport, RunReport
from lfr.runtime.sources import SourceOpener, open_camera

log = logging.getLogger(__name__)

EngineFactory = Callable[[], Engine]
STOP_REQUESTED = "stop requested"
"""``RunReport.stopped`` when the caller's ``stop`` event ended the run (e.g. SIGTERM)."""
AlertStored = Callable[[Alert], None]
"""Told of each alert once it is stored (e.g. to publish it on the event bus); a failure here
is logged and never stops the camera."""
CameraDone = Callable[[str, str | None], None]
"""A camera that stopped by itself: its name, and its error (None: its source ended)."""


def run_deployment(
    port: DeploymentPort,
    actor: Actor,
    deployment_id: int,
    engine_factory: EngineFactory,
    open_source: SourceOpener = open_camera,
    max_frames: int | None = None,
    *,
    check_every_s: float = 1.0,
    schedule_every_s: float = 60.0,
    counts_every_s: float = 60.0,
    on_alert_stored: AlertStored | None = None,
    stop: threading.Event | None = None,
) -> RunReport:
    """Open the run (refused, with the reason, unless ``actor`` may and the deployment is live)
    and scan every camera until the sources end, it stops being live, its window closes or
    ``stop`` is set."""
    live = port.open_run(actor, deployment_id)
    try:
        return run_live(
            port,
            live,
            engine_factory,
            open_source,
            max_frames,
            check_every_s=check_every_s,
            schedule_every_s=schedule_every_s,
            counts_every_s=counts_every_s,
            on_alert_stored=on_alert_stored,
            stop=stop,
        )
    finally:
        live.watchlist.wipe()  # zeroed, not merely dropped: nothing of it stays in memory


def run_live(
    port: DeploymentPort,
    live: LiveDeployment,
    engine_factory: EngineFactory,
    open_source: SourceOpener = open_camera,
    max_frames: int | None = None,
    *,
    check_every_s: float = 1.0,
    schedule_every_s: float = 60.0,
    counts_every_s: float = 60.0,
    on_alert_stored: AlertStored | None = None,
    stop: threading.Event | None = None,
    on_camera_done: CameraDone | None = None,
) -> RunReport:
    """Scan the cameras of an opened run (``DeploymentPort.open_run``) until it must stop.
    ``on_camera_done(camera, error)``: a camera stopped by itself (error None: its source
    ended) while the others may go on."""
    run = _Run(port, live, engine_factory, open_source, on_alert_stored, on_camera_done)
    cadence = _Cadence(check_every_s, schedule_every_s, counts_every_s, stop)
    threads = [
        threading.Thread(
            target=run.camera, args=(name, spec, max_frames), name=f"camera-{name}", daemon=True
        )
        for name, spec in live.cameras.items()
    ]
    for thread in threads:
        thread.start()
    stopped: str | None = None
    try:
        stopped = _supervise(run, threads, cadence)
    finally:
        run.halt()
        for thread in threads:
            thread.join()
        counted = run.store_counts()
        if stopped is not None:
            _enforce(port, run.lock)
    return RunReport(
        deployment_id=live.deployment_id,
        snapshot_size=live.watchlist.size,
        cameras=dict(run.reports),
        totals=run.totals(),
        counts_stored=counted,
        stopped=stopped,
    )


@dataclass(frozen=True, slots=True)
class _Cadence:
    """How often the supervisor checks the state, runs the schedule and stores the counts;
    and the caller's stop request."""

    check_every_s: float
    schedule_every_s: float
    counts_every_s: float
    stop: threading.Event | None


class _Run:
    """What the camera threads share: the stop flag, a lock serialising writes, the reports."""

    def __init__(
        self,
        port: DeploymentPort,
        live: LiveDeployment,
        engine_factory: EngineFactory,
        open_source: SourceOpener,
        on_alert_stored: AlertStored | None,
        on_camera_done: CameraDone | None = None,
    ) -> None:
        self.port = port
        self.on_camera_done = on_camera_done
        self.live = live
        self.engine_factory = engine_factory
        self.open_source = open_source
        self.on_alert_stored = on_alert_stored
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.reports: dict[str, CameraReport] = {}
        self.sources: list[FrameSource] = []
        self.progress: dict[str, RunCounts] = {}
        """Each camera's counts so far (its last frame's), whatever becomes of the camera."""
        self.stored = RunCounts()
        self.counts_refused = False

    def totals(self) -> RunCounts:
        # Copied first (in one step under the GIL): a camera may add its first count meanwhile.
        return sum(list(self.progress.values()), RunCounts())

    def store_counts(self) -> bool:
        """Add the counts not yet stored; False when the port refused them (then or before)."""
        with self.lock:
            totals = self.totals()
            fresh = totals - self.stored
            if not fresh or self.counts_refused:
                return bool(self.stored) and not self.counts_refused
            if _store_counts(self.port, self.live.deployment_id, fresh):
                self.stored = totals
                return True
            self.counts_refused = True
            return False

    def halt(self) -> None:
        """Stop every camera. The workers check the flag between frames; a network stream
        waiting for a frame or to reconnect is closed too (it is made to be closed from another
        thread), so a dead camera cannot hold the deployment open."""
        self.stop.set()
        for source in list(self.sources):
            if isinstance(source, StreamSource):
                source.close(join_s=0.0)

    def camera(self, name: str, spec: str, max_frames: int | None) -> None:
        report = self.reports[name] = CameraReport()
        try:
            engine = self.engine_factory()
            engine = replace(engine, config=engine.config.with_threshold(self.live.threshold))
            source = self.open_source(spec, name)
            self.sources.append(source)
            if self.stop.is_set():
                self.halt()
            summary = run_source(
                engine,
                source,
                self.live.watchlist,
                lambda alert: self._alert(name, report, alert),
                max_frames=max_frames,
                should_stop=self.stop.is_set,
                on_progress=lambda *counts: self.progress.__setitem__(name, RunCounts(*counts)),
                negatives=self.live.negatives,
            )
        except Exception as exc:  # one camera failing must not take the others down
            report.error = redact_text(str(exc)) or type(exc).__name__
            log.error("camera %s stopped: %s", name, report.error)
            self._done(name, report.error)
            return
        report.finished(summary)
        self.progress[name] = report.counts
        if not self.stop.is_set():  # it ended by itself, not because the run stops
            self._done(name, report.source_error)

    def _done(self, name: str, error: str | None) -> None:
        if self.on_camera_done is None:
            return
        try:
            self.on_camera_done(name, error)
        except Exception:  # showing the state must not break the run
            log.exception("camera %s: its end was not shown", name)

    def _alert(self, name: str, report: CameraReport, alert: Alert) -> None:
        stored = False
        with self.lock:
            try:
                stored = self.port.store_alert(self.live.deployment_id, alert)
            except LfrError as exc:
                report.alerts_refused += 1
                log.warning("camera %s: alert %s not stored: %s", name, alert.id, exc)
                self.halt()
            if stored:
                report.alerts_stored += 1
        if stored and self.on_alert_stored is not None:
            try:
                self.on_alert_stored(alert)
            except Exception:
                log.exception("camera %s: alert %s stored, but not announced", name, alert.id)


def _supervise(run: _Run, threads: list[threading.Thread], cadence: _Cadence) -> str | None:
    """Watch the deployment while the cameras run, storing their counts as they go; set the
    stop flag when it must stop."""
    stopped: str | None = None
    last_schedule = last_counts = time.monotonic()
    while any(t.is_alive() for t in threads):
        next(t for t in threads if t.is_alive()).join(timeout=cadence.check_every_s)
        if time.monotonic() - last_schedule >= cadence.schedule_every_s:
            last_schedule = time.monotonic()
            _enforce(run.port, run.lock)
        _pick_up_negatives(run)
        if time.monotonic() - last_counts >= cadence.counts_every_s:
            last_counts = time.monotonic()
            _store_counts_now(run)
        if stopped is None:
            requested = cadence.stop is not None and cadence.stop.is_set()
            stopped = (
                STOP_REQUESTED if requested else _stop_reason(run.port, run.live.deployment_id)
            )
            if stopped is not None:
                log.info("deployment %s: stopping cameras (%s)", run.live.deployment_id, stopped)
                run.halt()
    return stopped


def _pick_up_negatives(run: _Run) -> None:
    """Give the running cameras the alerts rejected since the last check as lookalikes."""
    negatives = run.live.negatives
    try:
        fresh = run.port.lookalike_negatives(run.live.deployment_id, negatives.last_id)
    except Exception as exc:  # a database hiccup: the next check asks again
        log.warning("deployment %s: negatives not read: %s", run.live.deployment_id, exc)
        return
    if negatives.add(fresh):
        log.info(
            "deployment %s: %d lookalike negatives in force", run.live.deployment_id, len(negatives)
        )


def _store_counts_now(run: _Run) -> None:
    try:
        run.store_counts()
    except Exception as exc:  # a database hiccup: the next interval (or the end) retries
        log.warning("deployment %s: counts not stored yet: %s", run.live.deployment_id, exc)


def _stop_reason(port: DeploymentPort, deployment_id: int) -> str | None:
    try:
        return port.stop_reason(deployment_id)
    except Exception as exc:  # a database hiccup must not stop the cameras
        log.warning("deployment %s: state check failed: %s", deployment_id, exc)
        return None


def _store_counts(port: DeploymentPort, deployment_id: int, totals: RunCounts) -> bool:
    if not totals:
        return False
    try:
        return port.add_counts(deployment_id, totals)
    except LfrError as exc:
        log.warning("deployment %s: counts not stored: %s", deployment_id, exc)
        return False


def _enforce(port: DeploymentPort, lock: threading.Lock) -> None:
    """Run the schedule now (e.g. end a deployment whose window closed as its cameras stop)."""
    try:
        with lock:
            for line in port.enforce_schedule():
                log.info("schedule: %s", line)
    except Exception as exc:
        log.warning("schedule enforcement failed: %s", exc)
