from __future__ import annotations

from datetime import datetime

from pydantic import Field

from lfr.access.roles import Role
from lfr.api.schemas.base import Public, Request


class AssignmentCreate(Request):
    username: str = Field(min_length=1, max_length=64, description="an operator or field officer")


class AssignmentPublic(Public):
    deployment_id: int
    username: str
    role: Role
    assigned_by: str
    assigned_at: datetime
