"""Oversight (read-only): deployments and their records, adjudication outcomes, the audit log
with search, chain verification and exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lfr.access.roles import PERMISSIONS, Action
from lfr.api.deps import AuditReader, RecordReader, State
from lfr.api.pages.audit_view import (
    DEFAULT_LIMIT,
    AuditFilters,
    action_choices,
    audit_rows,
    parse_limit,
    parse_since,
)
from lfr.api.pages.common import render
from lfr.audit.service import read_audit
from lfr.errors import LfrError
from lfr.governance.alerts.adjudication import list_alerts
from lfr.governance.deployments import lifecycle
from lfr.governance.records.published import public_records
from lfr.governance.states import AlertStatus

router = APIRouter(include_in_schema=False)


@router.get("/oversight")
def oversight_page(request: Request, actor: RecordReader, state: State) -> Response:
    records = {r.deployment_id: r for r in public_records(state.services)}
    views = (
        lifecycle.list_deployments(state.services, actor)
        if actor.role in PERMISSIONS[Action.DEPLOYMENT_READ]
        else []
    )
    alerts = (
        list_alerts(state.services, actor) if actor.role in PERMISSIONS[Action.ALERT_READ] else []
    )
    return render(
        state,
        request,
        "oversight.html",
        {
            "title": "Oversight",
            "deployments": list(reversed(views)),
            "records": records,
            "alerts": [a for a in reversed(alerts) if a.status != AlertStatus.PENDING or a.outcome],
            "may_audit": actor.role in PERMISSIONS[Action.AUDIT_READ],
        },
        actor,
    )


@router.get("/oversight/audit")
def audit_page(
    request: Request,
    actor: AuditReader,
    state: State,
    action: Annotated[str, Query(max_length=64)] = "",
    who: Annotated[str, Query(max_length=64)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    text: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[str, Query(max_length=12)] = str(DEFAULT_LIMIT),
) -> Response:
    filters = AuditFilters(action, who, since, text, limit)
    error, entries, newest = "", [], DEFAULT_LIMIT
    try:  # a bad filter shows its error and no entries, never the unfiltered log
        newest = parse_limit(limit)
        moment = parse_since(since)
        entries = read_audit(state.services, actor, action or None, who or None, moment)
    except LfrError as exc:
        error = str(exc)
    if text:
        needle = text.lower()
        entries = [e for e in entries if needle in f"{e.target} {e.details}".lower()]
    return render(
        state,
        request,
        "audit.html",
        {
            "title": "Audit log",
            "entries": audit_rows(list(reversed(entries[-newest:]))),
            "total": len(entries),
            "filters": filters,
            "actions": action_choices(action),
            "error": error,
        },
        actor,
    )
