"""Sessions and tokens held in the database.

Every page session and bearer token the web app signs (``lfr.api.sessions``) has a row here,
and a request is served only while its row holds. A logout revokes one row; a new password, a
new role or a disabled account revokes every row of that user at once, in the same transaction
as the change (``lfr.governance.accounts.users``). Revocations are rows, so they survive a restart.
Expired rows are deleted as new sessions open: an expired token is refused by its own signed
expiry anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from lfr.access.roles import Role
from lfr.access.services import Services
from lfr.store.tables import AuthSession, User

Kind = Literal["session", "bearer"]
Reason = Literal["logout", "password", "role", "disabled"]

WHY_ENDED: Final[dict[str, str]] = {
    "logout": "logged out: log in again",
    "password": "the password was changed: log in again",
    "role": "the account's role was changed: log in again",
    "disabled": "this account is disabled or no longer exists",
}
"""What a request with a revoked session is told, by the reason it was revoked."""


@dataclass(frozen=True, slots=True)
class SessionHolder:
    """Who holds a session now, and why it no longer holds ("" while it does)."""

    username: str
    role: Role
    active: bool
    ended: str


def open_session(
    services: Services,
    username: str,
    session_id: str,
    kind: Kind,
    issued_at: datetime,
    expires_at: datetime,
) -> None:
    """Record a newly signed session or token (the login itself is audited as ``auth.login``)."""
    with services.transaction() as session:
        session.execute(delete(AuthSession).where(AuthSession.expires_at < issued_at))
        session.add(
            AuthSession(
                id=session_id,
                username=username,
                kind=kind,
                issued_at=issued_at,
                expires_at=expires_at,
            )
        )


def holder(services: Services, session_id: str) -> SessionHolder | None:
    """The session's account as it is now, or None when there is no such session."""
    with services.transaction() as session:
        row = session.execute(
            select(AuthSession.username, AuthSession.revoked_reason, User.role, User.active)
            .join(User, User.username == AuthSession.username)
            .where(AuthSession.id == session_id[:32])
        ).first()
    if row is None:
        return None
    reason = row.revoked_reason
    ended = WHY_ENDED.get(reason, "this session has ended: log in again") if reason else ""
    return SessionHolder(row.username, Role(row.role), bool(row.active), ended)


def end_session(services: Services, username: str, session_id: str) -> None:
    """Log out: revoke this one session or token, audited as ``auth.logout``."""
    with services.transaction() as session:
        row = session.get(AuthSession, session_id[:32], with_for_update=True)
        if row is None or row.username != username or row.revoked_at is not None:
            return
        row.revoked_at = services.clock()
        row.revoked_reason = "logout"
        services.record(session, username, "auth.logout", f"user:{username}", {"kind": row.kind})


def revoke_sessions(
    session: Session,
    services: Services,
    username: str,
    reason: Reason,
    keep: str | None = None,
) -> int:
    """Revoke every live session and token of ``username`` but ``keep``, in the caller's
    transaction (whose audit entry reports the count); returns how many."""
    query = (
        update(AuthSession)
        .where(AuthSession.username == username, AuthSession.revoked_at.is_(None))
        .values(revoked_at=services.clock(), revoked_reason=reason)
    )
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
