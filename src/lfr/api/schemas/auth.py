from __future__ import annotations

from datetime import datetime

from pydantic import Field

from lfr.access.roles import Role
from lfr.api.schemas.base import Public, Request


class LoginRequest(Request):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class SessionPublic(Public):
    username: str
    role: Role
    csrf_token: str = Field(description="Send back in the X-CSRF-Token header of every change")
    expires_at: datetime


class TokenPublic(Public):
    access_token: str
    token_type: str = "bearer"
    username: str
    role: Role
    expires_at: datetime


class MePublic(Public):
    username: str
    role: Role
    kind: str = Field(description="session (cookie) or bearer")
    expires_at: datetime
