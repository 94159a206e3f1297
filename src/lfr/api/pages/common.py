"""What every page needs: the templates, who is looking, their menu and their CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from lfr.access.roles import Actor, Role
from lfr.api.sessions import Claims
from lfr.api.state import AppState
from lfr.web import TEMPLATES

HOME: dict[Role, str] = {
    Role.ADMIN: "/users",
    Role.WATCHLIST_MANAGER: "/watchlists",
    Role.AUTHORISING_OFFICER: "/deployments",
    Role.OPERATOR: "/alerts",
    Role.FIELD_OFFICER: "/alerts",
    Role.OVERSIGHT: "/oversight",
    Role.INDEPENDENT_AUTHORITY: "/authority",
}

_ALERTS = ("/alerts", "Alerts")
_DEPLOYMENTS = ("/deployments", "Deployments")
_WATCHLISTS = ("/watchlists", "Watchlists")
_OVERSIGHT = ("/oversight", "Oversight")
_AUDIT = ("/oversight/audit", "Audit log")
_DOCUMENTS = ("/documents", "Documents")
NAV: dict[Role, list[tuple[str, str]]] = {
    Role.ADMIN: [
        ("/users", "Users"),
        ("/policy", "Policy"),
        ("/settings", "Settings"),
        _DOCUMENTS,
        _AUDIT,
    ],
    Role.WATCHLIST_MANAGER: [_WATCHLISTS, ("/policy", "Policy")],
    Role.AUTHORISING_OFFICER: [_DEPLOYMENTS, _ALERTS, _WATCHLISTS, _DOCUMENTS],
    Role.OPERATOR: [_ALERTS, _DEPLOYMENTS],
    Role.FIELD_OFFICER: [_ALERTS],
    Role.OVERSIGHT: [_OVERSIGHT, _AUDIT, _DEPLOYMENTS, _ALERTS, _DOCUMENTS],
    Role.INDEPENDENT_AUTHORITY: [("/authority", "Requests")],
}


def home_for(actor: Actor) -> str:
    return HOME.get(actor.role, "/public")


def build_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["when"] = when
    templates.env.filters["pct"] = percent
    templates.env.filters["label"] = label
    return templates


def render(
    state: AppState,
    request: Request,
    template: str,
    context: dict[str, Any],
    actor: Actor | None = None,
    status_code: int = 200,
) -> Response:
    claims: Claims | None = getattr(request.state, "claims", None)
    csrf = state.sessions.csrf_token(claims) if claims is not None and actor is not None else ""
    page = {
        "user": actor,
        "csrf": csrf,
        "nav": NAV.get(actor.role, []) if actor else [],
        "active": request.url.path,
        **context,
    }
    response: Response = state.templates.TemplateResponse(
        request, template, page, status_code=status_code
    )
    return response


def when(value: object) -> str:
    """A time for people: '2025-06-01 12:00 UTC' (ISO strings and datetimes alike)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return when(parsed)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def percent(value: object) -> str:
    """A rate as a percentage with enough digits for 1 in a million; 'n/a' when undefined."""
    if not isinstance(value, int | float):
        return "n/a"
    return f"{value * 100:.4g}%"


def label(value: object) -> str:
    return str(value).replace("_", " ") if value is not None else "—"
