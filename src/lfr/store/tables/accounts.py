"""People: accounts, their sessions and tokens, failed-login windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lfr.store.tables.base import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    training_until: Mapped[datetime | None]
    """End of the user's current training record (EU AI Act Art. 14(5)); None: none."""


class AuthSession(Base):
    """One page session or bearer token (``lfr.api.sessions``). The token itself is signed; this
    row says whether it still holds, so a logout, or every session of a user revoked at once
    (new password, new role, account disabled), outlives a restart of the server."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The session id inside the signed token."""
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    """session (a page's cookie) | bearer (a machine's token)."""
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class LoginFailureWindow(Base):
    """Failed logins of one fixed window, counted here and audited as ONE entry once the window
    is over, so failures - unknown names included - cannot grow the audit log without bound."""

    __tablename__ = "login_failure_windows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """The window's number: seconds since the epoch at its start // its length."""
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)
    details: Mapped[dict[str, Any]]
    """{"reasons": {reason: count}, "accounts": {existing username: count}, "locked": [...]}:
    counts only; a name that is not an account is never kept (it may be a mistyped password)."""
