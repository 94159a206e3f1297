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
    backend: str = ""
    """The embedder backend (``--backends``); empty in the offline runs (the default config)."""
    frames_carried: int = 0
    """Of ``frames``, those picked up late and so carried by the tracker, not searched."""

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


@dataclass(slots=True)
class Timing:
    """Milliseconds a face over repeated calls, measured interleaved with the others."""

    median_ms: float
    min_ms: float
    max_ms: float
    calls: int
    faces_a_call: int
    threads: int


@dataclass(slots=True)
class EnrolRun:
    backend: str
    photos: int
    templates: int
    seconds: float
    photos_per_s: float
    minutes_for_16000: float
    """16,000 photos at this rate."""
    mode: str = "parallel"
    """"parallel": enrol_watchlist as configured (worker threads, quick search for large
    faces); "sequential": one photo after another, full search only (the enrolment before)."""
    workers: int = 1
    cpu_s: float = 0.0
    """CPU seconds of the whole process over the run (every thread)."""
    max_abs_diff: float = 0.0
    """Largest difference from the sequential run's descriptors (same photos, same order)."""


@dataclass(slots=True)
class CrowdScore:
    """The alerts of one crowd run against the clip's truth."""

    true_alerts: list[str]
    """Alerts for a watchlisted identity that was on screen in the alert's frame."""
    false_alerts: list[str]
    shown: list[str]
    """Watchlisted identities visible enough, long enough for an alert (see crowd_bench)."""
    missed: list[str]
    """Shown, but no true alert."""


@dataclass(slots=True)
class CrowdRun:
    backend: str
    crowd: int
    clip_s: float
    faces_in_view: float
    """Mean faces per frame whose centre is inside the frame (truth)."""
    faces_visible: float
    """Mean faces per frame at least half visible (in the frame, not hidden by others)."""
    detections_per_frame: float
    frames_read: int
    frames: int
    frames_dropped: int
    dropped_pct: float
    processed_fps: float
    """Frames processed over the run's length (or the clip's, if longer): 25 = every frame."""
    late_s: float
    """Seconds the run ended after the clip: the pipeline fell behind the camera's clock."""
    tracks: int
    embeddings: int
    descriptors_per_s: float
    cpu_pct: float
    """Process CPU time over wall time, in percent of one core (200 = both of 2 cores)."""
    wall_s: float
    latency_ms: dict[str, float]
    alerts: list[AlertRecord]
    score: CrowdScore
    stage_ms: dict[str, float]
    loadavg_1m: float
    """The machine's 1-minute load average just before the run."""
    frames_carried: int = 0
    """Of ``frames``, those picked up late and so carried by the tracker, not searched."""


def lfr_alerts_ok(run: LfrRun) -> bool:
    """The clip's one true alert, and no other."""
    return run.alert_subjects == [TRUE_SUBJECT]
