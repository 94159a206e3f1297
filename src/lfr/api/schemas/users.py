from __future__ import annotations

from pydantic import Field

from lfr.access.roles import Role
from lfr.api.schemas.base import Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.accounts.users import UserView


class UserCreate(Request):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    role: Role


class RoleChange(Request):
    role: Role


class PasswordChange(Request):
    old_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


UserPublic = schema_of(UserView, name="UserPublic")
