from __future__ import annotations

from datetime import datetime

from pydantic import Field

from lfr.access.roles import Role
from lfr.api.schemas.base import Public, Request


class UserCreate(Request):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    role: Role


class RoleChange(Request):
    role: Role


class PasswordChange(Request):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class UserPublic(Public):
    username: str
    role: Role
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str
    training_until: datetime | None = Field(
        None, description="end of the user's training record (a verifier needs a current one)"
    )
