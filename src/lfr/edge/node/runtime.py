"""An edge node (``lfr edge run``): runs the cameras the control centre commands, on the same
pipeline as ``lfr serve``, against a snapshot held in memory only.

- start: open the snapshot (sealed for this node and deployment), report its digest, run each
  camera (``run_live``, one camera each, so counts are per camera) until the stop command, the
  window's end (by the node's own clock, link or no link) or the sources' end;
- then: zero the snapshot's descriptors, face images and crop key in memory
  (``OpenedSnapshot.wipe``) and report the wipe (sent whenever the link allows);
- meanwhile: each alert is published (crops sealed with the deployment's crop key), cumulative
  counts per camera every ``counts_every_s``. Nothing about a face that did not match is sent
  or written anywhere.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.edge import protocol as proto
from lfr.edge.node.outbox import Outgoing
from lfr.edge.protocol import NodeReport, SnapshotChunk, StartCommand, StopCommand
from lfr.edge.wire.alerts import alert_message
from lfr.edge.wire.chunks import SnapshotAssembler
from lfr.edge.wire.mac import message_mac
from lfr.edge.wire.snapshot import OpenedSnapshot, SealedSnapshot, open_snapshot
from lfr.events.topics import CameraCounts
from lfr.ingest.base import FrameSource
from lfr.ingest.redact import redact_text
from lfr.ingest.video_file import VideoFileSource
from lfr.match.negatives import Negative
from lfr.runtime.deployment import EngineFactory, run_live
from lfr.runtime.port import LiveDeployment, RunCounts
from lfr.runtime.sources import SourceOpener, open_live

log = logging.getLogger(__name__)

WINDOW_ENDED = "window ended"
STOPPED = "stopped by the control centre"

Send = Callable[[Outgoing], None]


@dataclass
class _CameraRun:
    """One camera of a deployment on this node: its counts so far (cumulative)."""

    name: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    counts: RunCounts = field(default_factory=RunCounts)
    started: float = field(default_factory=time.monotonic)
    dropped: Callable[[], int] = lambda: 0
    position: Callable[[], int] = lambda: 0
    """A video file's next frame (0: a live stream)."""
    resume_at: int = 0
    """The frame a resumed video-file camera starts at."""
    ended: bool = False
    """It stopped by itself (its source ended or failed) while its deployment went on."""
    error: str = ""
    """Why it failed, credentials redacted."""


@dataclass
class _Deployment:
    command: StartCommand
    digest: str
    snapshot: OpenedSnapshot
    stop: threading.Event = field(default_factory=threading.Event)
    cameras: dict[str, _CameraRun] = field(default_factory=dict)
    thread: threading.Thread | None = None


class EdgeNodeRuntime:
    """The handlers ``edge_link.run_node_link`` calls, and the cameras they start."""

    def __init__(
        self,
        node: str,
        node_key: bytes,
        engine_factory: EngineFactory,
        send: Send,
        open_source: SourceOpener = open_live,
        counts_every_s: float = 5.0,
    ) -> None:
        self.node = node
        self._key = node_key
        self._chunks = SnapshotAssembler()
        """Pieces of large sealed snapshots, in memory until their start command comes."""
        self._engines = engine_factory
        self._send = send
        self._open_source = open_source
        self._counts_every_s = counts_every_s
        self._lock = threading.Lock()
        self._runs: dict[int, _Deployment] = {}
        self.alerts_sent: list[str] = []
        """The ids of the alerts this node raised (the fault tests compare them with the store)."""

    # --- the link's handlers -------------------------------------------------------------

    def on_start(self, command: StartCommand) -> None:
        with self._lock:
            if command.deployment_id in self._runs:
                return  # a command delivered again: it runs already
            if time.time() >= command.ends_at:
                log.info("deployment %s: its window has ended; not started", command.deployment_id)
                return
        sealed = SealedSnapshot(command.snapshot_key, self._chunks.sealed_text(command))
        opened = open_snapshot(self._key, self.node, command.deployment_id, sealed)
        # Kept without the sealed copy: once the cameras stop, nothing here can open it again.
        run = _Deployment(
            replace(command, snapshot_key="", snapshot=""), opened.watchlist.digest(), opened
        )
        self._report(command.deployment_id, "received", run.digest)
        run.thread = threading.Thread(
            target=self._run, args=(run,), name=f"edge-deployment-{command.deployment_id}"
        )
        run.thread.daemon = True
        with self._lock:
            self._runs[command.deployment_id] = run
        run.thread.start()

    def on_chunk(self, chunk: SnapshotChunk) -> None:
        self._chunks.add(chunk)

    def on_stop(self, command: StopCommand) -> None:
        with self._lock:
            run = self._runs.get(command.deployment_id)
        if run is not None:
            run.stop.set()

    def running(self) -> tuple[int, ...]:
        with self._lock:
            return tuple(sorted(d for d, r in self._runs.items() if not r.stop.is_set()))

    def stop_all(self, timeout_s: float = 15.0) -> None:
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.stop.set()
        for run in runs:
            if run.thread is not None:
                run.thread.join(timeout_s)

    # --- a deployment's cameras ---------------------------------------------------------

    def _run(self, run: _Deployment) -> None:
        command, watchlist = run.command, run.snapshot.watchlist
        cameras = dict(spec.split("=", 1) for spec in command.cameras)
        resume = {n: int(f) for n, f in (s.split("=", 1) for s in command.resume) if f.isdigit()}
        threads = []
        for name, source in cameras.items():
            camera = run.cameras[name] = _CameraRun(name, resume_at=resume.get(name, 0))
            live = LiveDeployment(
                command.deployment_id, {name: source}, command.threshold, watchlist
            )
            thread = threading.Thread(
                target=self._camera,
                args=(run, camera, live),
                name=f"edge-camera-{name}",
                daemon=True,
            )
            threads.append(thread)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # Every camera stopped: zero the snapshot in place (dropping it would leave its bytes
        # in this process's memory), then say so.
        run.stop.set()
        run.snapshot.wipe()
        self._report(command.deployment_id, "wiped", run.digest)
        log.info("deployment %s: snapshot wiped", command.deployment_id)

    def _camera(self, run: _Deployment, camera: _CameraRun, live: LiveDeployment) -> None:
        port = _NodePort(self, run, camera)

        def opener(spec: str, name: str) -> FrameSource:
            source = self._open_source(spec, name)
            camera.dropped = lambda: source.stats().frames_dropped
            if isinstance(source, VideoFileSource):
                source.first_frame = camera.resume_at
                camera.position = lambda: source.position
                if camera.resume_at:
                    log.info("camera %s resumes at frame %d", name, camera.resume_at)
            return source

        try:
            report = run_live(
                port,
                live,
                self._engines,
                opener,
                counts_every_s=self._counts_every_s,
                stop=run.stop,
            )
            shown = report.cameras.get(camera.name)
            camera.error = (shown.error or shown.source_error or "") if shown else ""
        except Exception as exc:
            log.exception("camera %s stopped", camera.name)
            camera.error = redact_text(str(exc)) or type(exc).__name__
        finally:
            camera.ended = not run.stop.is_set()  # by itself, not by the deployment's stop
            if camera.ended:
                log.warning(
                    "camera %s stopped by itself: %s",
                    camera.name,
                    camera.error or "its source ended",
                )
            self.send_counts(run, camera, final=True)

    # --- what goes up -------------------------------------------------------------------

    def _report(self, deployment_id: int, event: str, digest: str) -> None:
        report = NodeReport(self.node, deployment_id, event, digest, time.time())
        self._send_up(
            proto.report_subject(self.node, deployment_id),
            proto.encode(report),
            f"{event}-{deployment_id}-{self.node}-{digest[:16]}",
        )

    def send_alert(self, run: _Deployment, alert: Alert) -> None:
        deployment_id = run.command.deployment_id
        message = alert_message(self.node, deployment_id, alert, run.snapshot.crop_key)
        self.alerts_sent.append(alert.id)
        self._send_up(
            proto.alert_subject(self.node, deployment_id), proto.encode(message), alert.id
        )

    def send_counts(self, run: _Deployment, camera: _CameraRun, final: bool = False) -> None:
        counts, elapsed = camera.counts, max(1e-6, time.monotonic() - camera.started)
        message = CameraCounts(
            node=self.node,
            deployment_id=run.command.deployment_id,
            camera=camera.name,
            frames=counts.frames,
            frames_dropped=int(camera.dropped()),
            face_detections=counts.face_detections,
            tracks=counts.tracks,
            embeddings=counts.face_detections,  # not counted apart: at most one per face
            fps=round(counts.frames / elapsed, 2),
            sent_at=time.time(),
            final=final,
            run=camera.run_id,
            ended=final and camera.ended,
            error=camera.error[:200] if final else "",
            position=int(camera.position()),
        )
        self._send_up(
            proto.counts_subject(self.node, run.command.deployment_id, camera.name),
            proto.encode(message),
        )

    def _send_up(self, subject: str, payload: bytes, msg_id: str | None = None) -> None:
        """Into the outbox with the node's proof of origin (the centre refuses it without)."""
        self._send(Outgoing(subject, payload, msg_id, message_mac(self._key, subject, payload)))


class _NodePort:
    """``DeploymentPort`` for one camera on a node: alerts and counts go to the bus, the stop
    reason is the node's own (window end by its clock, or the centre's stop)."""

    def __init__(self, node: EdgeNodeRuntime, run: _Deployment, camera: _CameraRun) -> None:
        self._node, self._run, self._camera = node, run, camera

    def open_run(self, actor: Actor, deployment_id: int) -> LiveDeployment:
        raise NotImplementedError("a node's runs are opened by the centre's start command")

    def store_alert(self, deployment_id: int, alert: Alert) -> bool:
        self._node.send_alert(self._run, alert)
        return True

    def add_counts(self, deployment_id: int, counts: RunCounts) -> bool:
        self._camera.counts = self._camera.counts + counts
        self._node.send_counts(self._run, self._camera)
        return True

    def lookalike_negatives(self, deployment_id: int, after_id: int) -> list[Negative]:
        return []

    def stop_reason(self, deployment_id: int) -> str | None:
        if time.time() >= self._run.command.ends_at:
            return WINDOW_ENDED
        return STOPPED if self._run.stop.is_set() else None

    def enforce_schedule(self) -> list[str]:
        return []
