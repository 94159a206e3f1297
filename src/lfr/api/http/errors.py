"""Every failure becomes a clear response: JSON ``{"detail": "..."}`` under ``/api``, a plain
page elsewhere, with the status code that says what went wrong. The server keeps serving.

The services' own errors carry messages written for people (``lfr.errors``); they are passed on
as they are. Validation errors never echo what was sent (it may be a password).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from lfr.api.deps import SESSION_COOKIE, CsrfError
from lfr.api.http.middleware import BodyTooLargeError
from lfr.api.sessions import SessionError
from lfr.errors import (
    AuthenticationError,
    EnrolmentError,
    IntegrityError,
    LfrError,
    ModelNotInstalledError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    StateError,
    WatchlistError,
)

log = logging.getLogger(__name__)

STATUS_OF: Sequence[tuple[type[LfrError], int]] = (
    (AuthenticationError, 401),
    (CsrfError, 403),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (StateError, 409),
    (PolicyViolationError, 422),
    (WatchlistError, 422),
    (EnrolmentError, 400),
    (IntegrityError, 500),
    (ModelNotInstalledError, 503),
    (LfrError, 400),
)


def status_of(exc: LfrError) -> int:
    return next(status for kind, status in STATUS_OF if isinstance(exc, kind))


def is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/metrics"


def install(app: FastAPI) -> None:
    app.add_exception_handler(LfrError, _lfr_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(BodyTooLargeError, _too_large)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(Exception, _unexpected)


def respond(request: Request, status: int, detail: str, **extra: Any) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)
    if status == 401 and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return response
    templates = request.app.state.lfr.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "error.html", {"status": status, "detail": detail}, status_code=status
    )


async def _lfr_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LfrError)
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    response = respond(request, status, str(exc))
    if isinstance(exc, SessionError):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return respond(request, 422, validation_message(exc.errors()), errors=errors)


def validation_message(errors: Sequence[Any]) -> str:
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "not valid JSON")
            where = error.get("loc", ())[-1] if error.get("loc") else "?"
            return f"malformed JSON in the request body: {reason} (at character {where})"
    parts = []
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        parts.append(f"{'.'.join(loc) or 'body'}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "invalid request: " + "; ".join(parts) + more


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    response = respond(request, exc.status_code, detail)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _too_large(request: Request, exc: Exception) -> Response:
    return respond(request, 413, str(exc))


async def _database_error(request: Request, exc: Exception) -> Response:
    log.error("%s %s: database error: %s", request.method, request.url.path, exc)
    return respond(request, 503, "the database is unavailable or refused the request; try again")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
    return respond(request, 500, "internal error: the request failed (see the server log)")
