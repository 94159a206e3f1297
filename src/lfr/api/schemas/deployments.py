from __future__ import annotations

from pydantic import Field, create_model

from lfr.api.schemas.base import Public, Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.deployments.plan import DeploymentPlan, DeploymentView

DeploymentCreate = DeploymentPlan
"""Planning a deployment: the governance service's own plan model (shape checked there too)."""


DeploymentPublic = schema_of(DeploymentView, name="DeploymentPublic")


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


StartPublic = create_model(
    "StartPublic",
    __base__=Public,
    __doc__="A deployment that went live: its frozen snapshot, and whether its cameras run.",
    deployment=(DeploymentPublic, ...),
    snapshot_digest=(str, Field(description="SHA-256 of the frozen watchlist snapshot")),
    cameras_started=(bool, Field(description="this start also ran the cameras")),
    message=(str, ...),
)
