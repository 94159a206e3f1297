"""Logging in and out through the pages; ``/`` sends each user to their own page.

The login form is protected against cross-site submission by a double-submit token: a random
value in a SameSite=Strict cookie that the form must echo.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from lfr.api.accounts import close_session, current_account, sign_in
from lfr.api.deps import CurrentActor, State, presented_token
from lfr.api.http.cookies import end_session, start_session
from lfr.api.login_throttle import LoginThrottledError
from lfr.api.pages.common import home_for, render
from lfr.api.sessions import Claims, SessionError
from lfr.errors import AuthenticationError

router = APIRouter()
LOGIN_COOKIE = "lfr_login"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never '//elsewhere' or a full URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@router.get("/", include_in_schema=False)
def root(request: Request, state: State) -> Response:
    token, _ = presented_token(request)
    if token is not None:
        try:
            claims = state.sessions.read(token)
            actor = current_account(state.services, claims)
            return RedirectResponse(home_for(actor), status_code=303)
        except SessionError:
            pass
    return RedirectResponse("/public", status_code=303)


@router.get("/login", include_in_schema=False)
def login_form(request: Request, state: State, next: str | None = None) -> Response:
    return _login_page(request, state, next, "")


@router.post("/login", include_in_schema=False)
async def login(
    request: Request,
    state: State,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    login_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected and _needs_https(request, state):
        # Not an expired form: the browser never kept the (Secure) cookie over plain http.
        return _login_page(request, state, next, "Log in over HTTPS (see above).", 400)
    if not expected or not hmac.compare_digest(expected, login_token):
        return _login_page(request, state, next, "The login form expired: try again.", 400)
    try:
        actor = await sign_in(request, state, username, password)
    except AuthenticationError as exc:
        return _login_page(request, state, next, str(exc), 401)
    except LoginThrottledError as exc:
        refused = _login_page(request, state, next, str(exc.detail), 429)
        refused.headers["Retry-After"] = str(exc.retry_after_s)
        return refused
    response = RedirectResponse(_safe_next(next) or home_for(actor), status_code=303)
    await run_in_threadpool(start_session, state, response, actor)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(actor: CurrentActor, request: Request, state: State) -> Response:
    claims: Claims = request.state.claims
    close_session(state, claims)
    response = RedirectResponse("/login", status_code=303)
    end_session(state, response)
    return response


def _needs_https(request: Request, state: State) -> bool:
    """The cookies are Secure but this page came over plain http from another machine: the
    browser will not keep them (it does on http://localhost, which it treats as secure)."""
    host = request.url.hostname or ""
    local = host == "localhost" or host.endswith(".localhost") or _is_loopback(host)
    return state.config.secure_cookies and request.url.scheme == "http" and not local


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _login_page(
    request: Request, state: State, target: str | None, error: str, status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        state,
        request,
        "login.html",
        {
            "title": "Staff login",
            "next": _safe_next(target) or "",
            "error": error,
            "token": token,
            "needs_https": _needs_https(request, state),
            "localhost_url": f"http://localhost:{request.url.port or 80}/login",
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        secure=state.config.secure_cookies,
        httponly=True,
        samesite="strict",
    )
    return response
