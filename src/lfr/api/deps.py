"""Request dependencies: the app's state, the acting user, and role checks.

``CurrentActor`` authenticates a request by its bearer token or its session cookie. A
state-changing request (POST, PUT, PATCH, DELETE) that relies on the cookie must also carry the
session's CSRF token, in the ``X-CSRF-Token`` header or (plain HTML forms) a ``csrf_token``
form field; a bearer token needs none (a browser never sends one by itself).
``allowed(action)`` then applies the service layer's own ``require``, so the API and the
services can never disagree on who may do what (the services check again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from lfr.access.roles import Action, Actor, require
from lfr.api.accounts import current_account
from lfr.api.sessions import Claims, SessionError
from lfr.api.state import AppState
from lfr.errors import PermissionDeniedError

SESSION_COOKIE = "lfr_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfError(PermissionDeniedError):
    """A state-changing request from a cookie session without its CSRF token."""


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.lfr
    return state


State = Annotated[AppState, Depends(get_state)]


def presented_token(request: Request) -> tuple[str | None, bool]:
    """(token, came from the cookie)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def session_claims(request: Request, state: AppState) -> tuple[Claims, bool]:
    token, via_cookie = presented_token(request)
    if token is None:
        raise SessionError("not logged in: log in, or send a bearer token")
    claims = state.sessions.read(token)
    if via_cookie and claims.kind != "session":
        raise SessionError("invalid session token: log in again")
    if not via_cookie and claims.kind != "bearer":
        raise SessionError("a page session cannot be used as a bearer token")
    return claims, via_cookie


async def current_actor(request: Request, state: State) -> Actor:
    claims, via_cookie = session_claims(request, state)
    if via_cookie and request.method not in SAFE_METHODS:
        presented = request.headers.get(CSRF_HEADER)
        if presented is None and _is_form(request):
            value = (await request.form()).get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
        if not state.sessions.csrf_ok(claims, presented):
            raise CsrfError(
                f"CSRF check failed: a state-changing request from a page must send the"
                f" session's {CSRF_HEADER} header (reload the page and try again)"
            )
    request.state.claims = claims
    actor: Actor = await run_in_threadpool(current_account, state.services, claims)
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def allowed(action: Action) -> Callable[..., Any]:
    """A dependency: the current actor, if their role may do ``action`` (else 403)."""

    def check(actor: CurrentActor) -> Actor:
        require(actor, action)
        return actor

    check.__name__ = f"may_{action.value.replace('.', '_')}"
    return check


def _is_form(request: Request) -> bool:
    """A plain HTML form (multipart uploads come from the page's script, with the header)."""
    return request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")


AlertReader = Annotated[Actor, Depends(allowed(Action.ALERT_READ))]
DeploymentReader = Annotated[Actor, Depends(allowed(Action.DEPLOYMENT_READ))]
AuditReader = Annotated[Actor, Depends(allowed(Action.AUDIT_READ))]
RecordReader = Annotated[Actor, Depends(allowed(Action.RECORD_READ))]
UserManager = Annotated[Actor, Depends(allowed(Action.USER_MANAGE))]
WatchlistManager = Annotated[Actor, Depends(allowed(Action.WATCHLIST_MANAGE))]
WatchlistReader = Annotated[Actor, Depends(allowed(Action.WATCHLIST_READ))]
