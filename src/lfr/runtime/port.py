"""The runtime's one seam onto whatever governs the cameras, and the run's typed results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from lfr.access.roles import Actor
from lfr.domain import Alert
from lfr.match.watchlist import Watchlist


@dataclass(frozen=True, slots=True)
class LiveDeployment:
    """What a run needs to start: the cameras, the threshold and the frozen snapshot."""

    deployment_id: int
    cameras: Mapping[str, str]
    """Camera name -> source spec (may hold credentials: never log it unredacted)."""
    threshold: float
    watchlist: Watchlist


@dataclass(frozen=True, slots=True)
class RunCounts:
    """The only trace a run leaves of the people who did not match."""

    frames: int = 0
    face_detections: int = 0
    """Faces found, frame by frame (one person in 40 frames is 40)."""
    tracks: int = 0
    """Distinct faces followed across frames: the record's "faces seen"."""

    def __add__(self, other: RunCounts) -> RunCounts:
        return RunCounts(
            self.frames + other.frames,
            self.face_detections + other.face_detections,
            self.tracks + other.tracks,
        )

    def __sub__(self, other: RunCounts) -> RunCounts:
        return RunCounts(
            self.frames - other.frames,
            self.face_detections - other.face_detections,
            self.tracks - other.tracks,
        )

    def __bool__(self) -> bool:
        return bool(self.frames or self.face_detections or self.tracks)


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

    def stop_reason(self, deployment_id: int) -> str | None:
        """Why the cameras must stop now (e.g. ``WINDOW_ENDED``), or None while live."""
        ...

    def enforce_schedule(self) -> list[str]:
        """End what the rules say must end now; one line per action taken."""
        ...
