"""Log in (a page session in a cookie, or a bearer token for a machine), log out, who am I.

Logins are throttled per client address (``lfr.api.login_throttle``: 429 with Retry-After).
Wrong passwords are counted by ``users.authenticate``: after 10 in a row the account is locked
for 15 minutes; an unknown name, a wrong password and a locked account get the same 401; the
failures are audited as one entry per window. Sessions and tokens are rows in the database, so a
logout holds across restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from lfr.api.accounts import close_session, open_session, sign_in
from lfr.api.deps import CurrentActor, State
from lfr.api.http.cookies import end_session, start_session
from lfr.api.login_throttle import RETRY_AFTER
from lfr.api.schemas.auth import LoginRequest, MePublic, SessionPublic, TokenPublic
from lfr.api.sessions import Claims

router = APIRouter(prefix="/api/auth", tags=["auth"])
LOGIN_REFUSED: dict[int | str, dict[str, object]] = {
    401: {"description": "wrong username or password, or the account is locked"},
    429: {"description": "too many failed logins from this address", "headers": RETRY_AFTER},
}


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


@router.post("/login", response_model=SessionPublic, responses=LOGIN_REFUSED)
async def login(
    body: LoginRequest, request: Request, response: Response, state: State
) -> SessionPublic:
    """Start a page session: sets the HttpOnly session cookie; returns the CSRF token."""
    actor = await sign_in(request, state, body.username, body.password)
    claims = await run_in_threadpool(start_session, state, response, actor)
    return SessionPublic(
        username=actor.username,
        role=actor.role,
        csrf_token=state.sessions.csrf_token(claims),
        expires_at=_when(claims.expires_at),
    )


@router.post("/token", response_model=TokenPublic, responses=LOGIN_REFUSED)
async def token(body: LoginRequest, request: Request, state: State) -> TokenPublic:
    """A bearer token for a machine client (send ``Authorization: Bearer <token>``)."""
    actor = await sign_in(request, state, body.username, body.password)
    value, claims = await run_in_threadpool(open_session, state, actor, "bearer")
    return TokenPublic(
        access_token=value,
        username=actor.username,
        role=actor.role,
        expires_at=_when(claims.expires_at),
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(actor: CurrentActor, request: Request, state: State) -> Response:
    """End this session (or revoke this bearer token)."""
    claims: Claims = request.state.claims
    close_session(state, claims)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    end_session(state, response)
    return response


@router.get("/me", response_model=MePublic)
def me(actor: CurrentActor, request: Request) -> MePublic:
    claims: Claims = request.state.claims
    return MePublic(
        username=actor.username,
        role=actor.role,
        kind=claims.kind,
        expires_at=_when(claims.expires_at),
    )
