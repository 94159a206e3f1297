"""The result records: one dataclass per kind of run, serialised as-is into results.json."""

from __future__ import annotations

from dataclasses import dataclass, field

from common import TRUE_SUBJECT
from lfr.domain import Alert


@dataclass(slots=True)
class AlertRecord:
    subject: str
    frame: int
    time_s: float
    distance: float
    track: int
    camera: str
    latency_ms: float

    @classmethod
    def of(cls, alert: Alert) -> AlertRecord:
        return cls(
            subject=alert.subject.reference,
            frame=alert.frame,
            time_s=round(alert.time_s, 3),
            distance=round(alert.distance, 4),
            track=alert.track,
            camera=alert.camera,
            latency_ms=round(1000.0 * alert.latency_s, 1),
        )


@dataclass(slots=True)
class LfrRun:
    label: str
    frames: int
    frames_read: int
    frames_dropped: int
    face_detections: int
    tracks: int
    embeddings: int
    wall_s: float
    fps: float
    stage_ms: dict[str, float]
    alerts: list[AlertRecord]
    pickup_age_ms: dict[str, float] = field(default_factory=dict)
    """How old each frame was when the pipeline took it (realtime: time spent in the slot)."""

    @property
    def alert_subjects(self) -> list[str]:
        return [a.subject for a in self.alerts]


@dataclass(slots=True)
class IdentityHits:
    identity: str
    frames: int
    """Frames in which at least one face's nearest template was this identity, within tolerance."""
    first_frame: int
    first_time_s: float
    min_distance: float


@dataclass(slots=True)
class BaselineRun:
    frames: int
    faces: int
    wall_s: float
    fps: float
    stage_ms: dict[str, float]
    tolerance: float
    matches: list[IdentityHits]
    matches_at_example_tolerance: list[IdentityHits]
    enrolled_encodings: int
    enrol_skipped: list[str]

    @property
    def matched_identities(self) -> list[str]:
        return [m.identity for m in self.matches]


@dataclass(slots=True)
class SearchResult:
    blas_threads: str
    """OpenBLAS threads numpy used: "default" (as lfr runs today) or "1" (pinned by env)."""
    templates: int
    dimension: int
    probes: int
    median_ms: float
    p95_ms: float
    batch_per_probe_ms: float
    agrees_with_bruteforce: bool


def lfr_alerts_ok(run: LfrRun) -> bool:
    """The clip's one true alert, and no other."""
    return run.alert_subjects == [TRUE_SUBJECT]
