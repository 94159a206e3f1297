"""The runtime's one seam onto whatever governs the cameras, and the run's typed results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.match.negatives import LookalikeNegatives, Negative
from lfr.match.watchlist import Watchlist


@dataclass(frozen=True, slots=True)
class LiveDeployment:
    """What a run needs to start: the cameras, the threshold and the frozen snapshot."""

    deployment_id: int
    cameras: Mapping[str, str]
    """Camera name -> source spec (may hold credentials: never log it unredacted)."""
    threshold: float
    watchlist: Watchlist
    negatives: LookalikeNegatives = field(default_factory=LookalikeNegatives)
    """Alerts rejected as "not this person" so far; grown while the cameras run."""


@dataclass(frozen=True, slots=True)
class RunCounts:
    """The only trace a run leaves of the people who did not match."""

    frames: int = 0
    face_detections: int = 0
    """Faces found, frame by frame (one person in 40 frames is 40)."""
    tracks: int = 0
    """Distinct faces followed across frames: the record's "faces seen"."""
    lookalikes_suppressed: int = 0
    """Tracks that would have alerted but for a lookalike an operator had rejected."""

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(
            self.frames + other.frames,
            self.face_detections + other.face_detections,
            self.tracks + other.tracks,
            self.lookalikes_suppressed + other.lookalikes_suppressed,
        )

    def __sub__(self, other: RunCounts) -> RunCounts:
        return RunCounts(
            self.frames - other.frames,
            self.face_detections - other.face_detections,
            self.tracks - other.tracks,
            self.lookalikes_suppressed - other.lookalikes_suppressed,
        )

    def __bool__(self) -> bool:
        return bool(
            self.frames or self.face_detections or self.tracks or self.lookalikes_suppressed
        )


class DeploymentPort(Protocol):
    def open_run(self, actor: Actor, deployment_id: int) -> LiveDeployment:
        """Check that ``actor`` may run the cameras and that the deployment is live and inside
        its window; load its frozen snapshot. Raises ``LfrError`` saying why not."""
        ...

    def store_alert(self, deployment_id: int, alert: Alert) -> bool:
        """Keep an alert for review; False when it was already stored (a retried delivery).
        Raises ``LfrError`` when the deployment no longer takes alerts."""
        ...

    def add_counts(self, deployment_id: int, counts: RunCounts) -> bool:
        """Add a run's counts; False when they are no longer wanted (a refused emergency)."""
        ...

    def lookalike_negatives(self, deployment_id: int, after_id: int) -> list[Negative]:
        """The deployment's lookalike negatives with an id above ``after_id`` (new rejections)."""
        ...

    def stop_reason(self, deployment_id: int) -> str | None:
        """Why the cameras must stop now (e.g. ``WINDOW_ENDED``), or None while live."""
        ...

    def enforce_schedule(self) -> list[str]:
        """End what the rules say must end now; one line per action taken."""
        ...
