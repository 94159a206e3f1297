"""Signing in (throttled), who a session belongs to now (the account's current role, and whether
the session - its row in the database - and the account may still act), opening and ending
sessions."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.api.sessions import Claims, Kind, SessionError
from lfr.api.state import AppState
from lfr.errors import AuthenticationError
from lfr.governance.accounts import sessions as user_sessions
from lfr.governance.accounts.sessions import WHY_ENDED
from lfr.governance.accounts.users import authenticate


async def sign_in(request: Request, state: AppState, username: str, password: str) -> Actor:
    """The actor for these credentials. Refused first, with no password checked, when this
    client address has used up its failed logins (``LoginThrottledError``, 429); else checked
    off the event loop (argon2 is slow by design) and the outcome counted."""
    address = request.client.host if request.client else "unknown"
    state.login_throttle.check(address, username)
    try:
        actor = await run_in_threadpool(authenticate, state.services, username, password)
    except AuthenticationError:
        state.login_throttle.failed(address, username)
        raise
    state.login_throttle.succeeded(address, username)
    return actor


def current_account(services: Services, claims: Claims) -> Actor:
    """The actor of a verified session; SessionError if the session was revoked or is unknown
    (logged out, a new password or role, issued before sessions were stored) or the account is
    disabled or gone (so disabling an account ends its sessions at once)."""
    found = user_sessions.holder(services, claims.sid)
    if found is None or found.username != claims.username:
        raise SessionError("this session has ended: log in again")
    if not found.active:
        raise SessionError(WHY_ENDED["disabled"])
    if found.ended:
        raise SessionError(found.ended)
    return Actor(found.username, found.role)


def open_session(state: AppState, actor: Actor, kind: Kind) -> tuple[str, Claims]:
    """Sign a session (or a bearer token) for ``actor`` and record it in the database."""
    ttl = state.config.session_ttl_s if kind == "session" else state.config.token_ttl_s
    token, claims = state.sessions.issue(actor.username, kind, ttl)
    user_sessions.open_session(
        state.services,
        actor.username,
        claims.sid,
        kind,
        _when(claims.issued_at),
        _when(claims.expires_at),
    )
    return token, claims


def close_session(state: AppState, claims: Claims) -> None:
    """Log out: the session is revoked in the database (a copy of its token stays refused,
    across restarts too)."""
    user_sessions.end_session(state.services, claims.username, claims.sid)


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
