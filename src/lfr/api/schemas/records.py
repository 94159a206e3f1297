"""The public's view of deployments: the published records (``PublishedRecord``, counts only)
and the announced schedule."""

from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public
from lfr.api.schemas.derive import schema_of
from lfr.governance.records.published import PublishedRecord, RecordLocation
from lfr.governance.states import DeploymentState

RecordPublic = schema_of(PublishedRecord, name="RecordPublic")


class ScheduledPublic(Public):
    """A deployment announced to the public: where, when and why."""

    deployment_id: int
    state: DeploymentState
    starts_at: str
    ends_at: str
    location: RecordLocation
    purpose: str
    cameras: int = Field(description="how many cameras it uses")
    cameras_running: int | None = Field(
        None, description="live: how many of them deliver frames now (None: not live)"
    )
