from __future__ import annotations

from datetime import datetime

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.states import DeploymentState

DeploymentCreate = DeploymentPlan
"""Planning a deployment: the governance service's own plan model (shape checked there too)."""


class DeploymentPublic(Public):
    id: int
    name: str
    purpose: str
    location_name: str
    latitude: float
    longitude: float
    area_description: str
    starts_at: datetime
    ends_at: datetime
    cameras: dict[str, str] = Field(description="camera -> source, credentials redacted")
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
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    snapshot_digest: str | None
    snapshot_size: int
    snapshot_wiped_at: datetime | None
    frames: int
    face_detections: int
    faces_seen: int
    objective: str | None = Field(None, description="EU AI Act Art. 5(1)(h): i, ii or iii")
    expected_footfall: int | None = None
    threshold_reason: str | None = None
    pinned_documents: dict[str, dict[str, str | int]] | None = Field(
        None, description="document kind -> {id, version, sha256} it went live on"
    )


class AuthoriseRequest(Request):
    note: str = Field("", max_length=2000)
    threshold_reason: str = Field(
        "",
        max_length=2000,
        description="why a threshold looser than the evaluated fair operating point",
    )


class SignageRequest(Request):
    reference: str = Field(min_length=1, max_length=200, description="photo or log reference")


class StartRequest(Request):
    emergency: bool = Field(False, description="start before authorisation (if the policy allows)")


class EndRequest(Request):
    reason: str = Field("", max_length=200)


class ReadinessPublic(Public):
    deployment_id: int
    ready: bool
    problems: list[str] = Field(description="every condition still missing to go live")


class StartPublic(Public):
    deployment: DeploymentPublic
    snapshot_digest: str
    cameras_started: bool
    message: str
