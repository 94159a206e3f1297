from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from lfr.api.schemas.base import Public
from lfr.governance.states import DeploymentState


class LocationPublic(Public):
    name: str
    area: str
    latitude: float
    longitude: float


class RevisionPublic(Public):
    """A change to a record after it was published."""

    revised_at: str
    changes: dict[str, list[Any]] = Field(description="each changed figure: [before, after]")


class RecordPublic(Public):
    """A deployment's published record: counts only, nothing that identifies anyone."""

    deployment_id: int
    date: str
    started_at: str | None
    ended_at: str | None
    duration_minutes: int
    location: LocationPublic
    purpose: str
    threshold: float
    watchlist_size: int = Field(description="images on the frozen watchlist")
    faces_seen: int = Field(description="distinct faces (tracks)")
    face_detections: int
    frames: int
    alerts: int
    true_alerts: int
    false_alerts: int
    unreviewed: int
    engagements: int
    false_alert_engagements: int
    arrests: int
    false_alert_rate_per_face_seen: float | None
    false_alert_rate_per_alert: float | None
    emergency_start: bool
    emergency_authorisation_refused: bool
    status: Literal["ended", "cancelled"] = Field(
        "ended", description="cancelled: called off before it went live (every count is 0)"
    )
    cancel_reason: str | None = None
    published_at: str = Field(description="when it was first published (at the end)")
    audit_head: str | None = Field(
        None, description="the audit log's head hash when this record was (last) published"
    )
    revisions: list[RevisionPublic] = Field(
        default_factory=list, description="changes after publication, oldest first"
    )
    profile: str | None = Field(None, description="the jurisdiction profile it ran under")
    entries_by_category: dict[str, int] = Field(
        default_factory=dict, description="watchlist entries (people) by category"
    )
    under_18_entries: int | None = None
    people_stopped: int = 0
    stop_minutes_median: float | None = None
    stop_minutes_longest: float | None = None
    arrests_by_category: dict[str, int] = Field(default_factory=dict)


class ScheduledPublic(Public):
    """A deployment announced to the public: where, when and why."""

    deployment_id: int
    state: DeploymentState
    starts_at: str
    ends_at: str
    location: LocationPublic
    purpose: str
