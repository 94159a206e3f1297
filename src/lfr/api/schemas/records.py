from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public
from lfr.governance.states import DeploymentState


class LocationPublic(Public):
    name: str
    area: str
    latitude: float
    longitude: float


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
    published_at: str
    audit_head: str | None = Field(
        None, description="the audit log's head hash when this record was (last) published"
    )


class ScheduledPublic(Public):
    """A deployment announced to the public: where, when and why."""

    deployment_id: int
    state: DeploymentState
    starts_at: str
    ends_at: str
    location: LocationPublic
    purpose: str
