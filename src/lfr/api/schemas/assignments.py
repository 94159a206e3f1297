from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.deployments.assignments import AssignmentView


class AssignmentCreate(Request):
    username: str = Field(min_length=1, max_length=64, description="an operator or field officer")


AssignmentPublic = schema_of(AssignmentView, name="AssignmentPublic")
