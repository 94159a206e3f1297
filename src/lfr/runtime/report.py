"""What a deployment's run reports when it stops: counts per camera and in all, never faces."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from lfr.domain import RunSummary
from lfr.runtime.port import RunCounts


@dataclass(slots=True)
class CameraReport:
    """One camera's share of a run; filled in by its thread while it runs."""

    alerts_stored: int = 0
    alerts_refused: int = 0
    frames: int = 0
    frames_dropped: int = 0
    face_detections: int = 0
    tracks: int = 0
    alerts: int = 0
    lookalikes_suppressed: int = 0
    """Tracks that would have alerted but for a lookalike an operator had rejected."""
    wall_s: float = 0.0
    source_error: str | None = None
    """Set when a live source gave up (reconnects exhausted) rather than ended."""
    error: str | None = None
    """Set when the camera could not start or failed; the other cameras go on."""

    def finished(self, summary: RunSummary) -> None:
        self.frames = summary.frames
        self.frames_dropped = summary.frames_dropped
        self.face_detections = summary.face_detections
        self.tracks = summary.tracks
        self.alerts = summary.alerts
        self.lookalikes_suppressed = summary.lookalikes_suppressed
        self.wall_s = round(summary.wall_s, 3)
        self.source_error = summary.source_error

    @property
    def counts(self) -> RunCounts:
        return RunCounts(self.frames, self.face_detections, self.tracks, self.lookalikes_suppressed)


@dataclass(frozen=True, slots=True)
class RunReport:
    deployment_id: int
    snapshot_size: int
    """Templates searched."""
    cameras: dict[str, CameraReport] = field(default_factory=dict)
    totals: RunCounts = field(default_factory=RunCounts)
    counts_stored: bool = False
    stopped: str | None = None
    """Why the run was stopped (e.g. "window ended"); None when every source ended."""

    @property
    def alerts_stored(self) -> int:
        return sum(camera.alerts_stored for camera in self.cameras.values())

    @property
    def lookalikes_suppressed(self) -> int:
        return sum(camera.lookalikes_suppressed for camera in self.cameras.values())

    def as_dict(self) -> dict[str, Any]:
        """For ``--json`` and the bus: the totals flattened next to the per-camera reports."""
        return {
            "deployment_id": self.deployment_id,
            "snapshot_size": self.snapshot_size,
            "cameras": {name: asdict(camera) for name, camera in self.cameras.items()},
            **asdict(self.totals),
            "counts_stored": self.counts_stored,
            "alerts_stored": self.alerts_stored,
            "stopped": self.stopped,
        }
