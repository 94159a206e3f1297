"""Log in (a page session in a cookie, or a bearer token for a machine), log out, who am I.

Wrong passwords are counted by ``users.authenticate``: after 5 in a row the account is locked
for 15 minutes, and every failure is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from lfr.api.cookies import end_session, start_session
from lfr.api.deps import CurrentActor, State
from lfr.api.schemas.auth import LoginRequest, MePublic, SessionPublic, TokenPublic
from lfr.api.sessions import Claims
from lfr.governance.users import authenticate

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _when(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


@router.post("/login", response_model=SessionPublic)
async def login(body: LoginRequest, response: Response, state: State) -> SessionPublic:
    """Start a page session: sets the HttpOnly session cookie; returns the CSRF token."""
    actor = await run_in_threadpool(authenticate, state.services, body.username, body.password)
    claims = start_session(state, response, actor)
    return SessionPublic(
        username=actor.username,
        role=actor.role,
        csrf_token=state.sessions.csrf_token(claims),
        expires_at=_when(claims.expires_at),
    )


@router.post("/token", response_model=TokenPublic)
async def token(body: LoginRequest, state: State) -> TokenPublic:
    """A bearer token for a machine client (send ``Authorization: Bearer <token>``)."""
    actor = await run_in_threadpool(authenticate, state.services, body.username, body.password)
    value, claims = state.sessions.issue(actor.username, "bearer", state.config.token_ttl_s)
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
    state.sessions.revoke(claims)
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
