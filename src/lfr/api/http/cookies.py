"""The page session cookie: HttpOnly, SameSite=Strict, Secure unless turned off for
http://localhost."""

from __future__ import annotations

from starlette.responses import Response

from lfr.access.roles import Actor
from lfr.api.accounts import open_session
from lfr.api.deps import SESSION_COOKIE
from lfr.api.sessions import Claims
from lfr.api.state import AppState


def start_session(state: AppState, response: Response, actor: Actor) -> Claims:
    """A page session for ``actor`` (recorded in the database) in the session cookie."""
    token, claims = open_session(state, actor, "session")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=state.config.session_ttl_s,
        path="/",
        secure=state.config.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return claims


def end_session(state: AppState, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        secure=state.config.secure_cookies,
        httponly=True,
        samesite="strict",
    )
