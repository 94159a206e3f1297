"""What a deployment is to the services: the plan a planner submits, the view staff see, and
the small rules every stage of its life shares (the policy's limits on a plan, the deadline of
an emergency start, loading it by id, its audit target)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.orm import Session

from lfr.errors import NotFoundError
from lfr.governance.deployments.camera_sources import MAX_SOURCE_CHARS, shown_cameras
from lfr.governance.law.policy import Policy
from lfr.governance.states import DeploymentState
from lfr.store.tables import MAX_ROW_ID, Deployment
from lfr.store.tables import Watchlist as WatchlistRow

MAX_CAMERAS = 1000
"""A hard bound before any policy is read (the policy's own limit is lower, 32 by default)."""


class DeploymentPlan(BaseModel):
    """What a planner asks for. Shape is checked here; the policy is checked by the service."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=200)
    location_name: str = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    longitude: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    area_description: str = Field(min_length=1, max_length=2000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    cameras: dict[str, str] = Field(
        min_length=1,
        max_length=MAX_CAMERAS,
        description="camera name -> source spec (the policy's camera_sources say which)",
    )
    watchlist_id: int = Field(ge=1, le=MAX_ROW_ID)
    threshold: float = Field(gt=0.0, allow_inf_nan=False)
    dpia_reference: str = Field(min_length=1, max_length=200)
    objective: Literal["i", "ii", "iii"] | None = Field(
        None, description="EU AI Act Art. 5(1)(h) objective (needed to go live under eu-ai-act)"
    )
    expected_footfall: int | None = Field(
        None, ge=0, le=100_000_000, description="people expected to pass the cameras"
    )

    @field_validator("cameras")
    @classmethod
    def _cameras(cls, cameras: dict[str, str]) -> dict[str, str]:
        clean: dict[str, str] = {}
        for name, spec in cameras.items():
            if not name.strip() or len(name.strip()) > 100:
                raise ValueError("each camera needs a name of 1-100 characters")
            if not spec.strip():
                raise ValueError(f"camera {name.strip()!r} has no source")
            if len(spec.strip()) > MAX_SOURCE_CHARS:
                raise ValueError(f"camera {name.strip()!r}: source longer than {MAX_SOURCE_CHARS}")
            clean[name.strip()] = spec.strip()
        return clean

    @model_validator(mode="after")
    def _window(self) -> DeploymentPlan:
        if self.ends_at <= self.starts_at:
            raise ValueError("the time window must end after it starts")
        return self


@dataclass(frozen=True)
class DeploymentView:
    """A deployment as staff see it: camera sources have their credentials redacted."""

    id: int
    name: str
    purpose: str
    location_name: str
    latitude: float
    longitude: float
    area_description: str
    starts_at: datetime
    ends_at: datetime
    cameras: dict[str, str]
    """Camera -> source, credentials redacted."""
    watchlist_id: int
    watchlist_name: str
    threshold: float
    dpia_reference: str
    state: DeploymentState
    planner: str
    created_at: datetime
    authorised_by: str | None
    authorised_at: datetime | None
    authorisation_note: str | None
    signage_confirmed_by: str | None
    signage_confirmed_at: datetime | None
    signage_reference: str | None
    emergency: bool
    emergency_authorise_by: datetime | None
    """For an unauthorised emergency start: when it must be authorised by."""
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    snapshot_digest: str | None
    snapshot_size: int
    snapshot_wiped_at: datetime | None
    frames: int
    face_detections: int
    faces_seen: int
    """Distinct faces (tracks), as in the published record."""
    objective: str | None
    """The EU AI Act Art. 5(1)(h) objective it serves: i, ii or iii (EU profile)."""
    expected_footfall: int | None
    threshold_reason: str | None
    pinned_documents: dict[str, dict[str, str | int]] | None
    """The document versions it went live on: {kind: {id, version, sha256}}."""

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }


def deployment_view(row: Deployment, session: Session, policy: Policy) -> DeploymentView:
    watchlist = session.get(WatchlistRow, row.watchlist_id)
    pending_emergency = row.emergency and row.authorised_by is None
    return DeploymentView(
        id=row.id,
        name=row.name,
        purpose=row.purpose,
        location_name=row.location_name,
        latitude=row.latitude,
        longitude=row.longitude,
        area_description=row.area_description,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        cameras=redacted(row.cameras),
        watchlist_id=row.watchlist_id,
        watchlist_name=watchlist.name if watchlist else "",
        threshold=row.threshold,
        dpia_reference=row.dpia_reference,
        state=DeploymentState(row.state),
        planner=row.planner,
        created_at=row.created_at,
        authorised_by=row.authorised_by,
        authorised_at=row.authorised_at,
        authorisation_note=row.authorisation_note,
        signage_confirmed_by=row.signage_confirmed_by,
        signage_confirmed_at=row.signage_confirmed_at,
        signage_reference=row.signage_reference,
        emergency=row.emergency,
        emergency_authorise_by=emergency_deadline(row, policy) if pending_emergency else None,
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        snapshot_digest=row.snapshot_digest,
        snapshot_size=row.snapshot_size,
        snapshot_wiped_at=row.snapshot_wiped_at,
        frames=row.frames,
        face_detections=row.face_detections,
        faces_seen=row.tracks,
        objective=row.objective,
        expected_footfall=row.expected_footfall,
        threshold_reason=row.threshold_reason,
        pinned_documents=row.pinned_documents,
    )


def plan_problems(
    policy: Policy, purpose: str, starts_at: datetime, ends_at: datetime, threshold: float
) -> list[str]:
    """What in a plan breaks the policy: checked when it is planned, authorised and started,
    since the policy may change in between."""
    problems = []
    if purpose not in policy.purposes:
        problems.append(
            f"purpose {purpose!r} is not permitted (allowed: {'; '.join(policy.purposes)})"
        )
    hours = (ends_at - starts_at).total_seconds() / 3600
    if hours > policy.max_deployment_hours:
        problems.append(
            f"its window of {hours:.4g} h is longer than the policy's limit of"
            f" {policy.max_deployment_hours} h"
        )
    if threshold > policy.max_threshold:
        problems.append(
            f"threshold {threshold:g} is looser than the policy's limit {policy.max_threshold:g}"
        )
    return problems


def emergency_deadline(row: Deployment, policy: Policy) -> datetime:
    """When an emergency start must have been authorised by."""
    started = row.started_at or row.created_at
    return started + timedelta(hours=policy.emergency_authorisation_hours)


def load_deployment(session: Session, deployment_id: int, lock: bool = False) -> Deployment:
    """The deployment's row (locked for update when it is to change); NotFoundError if none."""
    row = session.get(Deployment, deployment_id, with_for_update=lock or None)
    if row is None:
        raise NotFoundError(f"no deployment with id {deployment_id}")
    return row


def audit_target(deployment_id: int) -> str:
    return f"deployment:{deployment_id}"


def redacted(cameras: dict[str, Any]) -> dict[str, str]:
    """Camera sources without their credentials (as planned, or as stored with their secrets
    sealed): for views and the audit log."""
    return shown_cameras(cameras)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
