"""What the force sends its regulators under the EU AI Act: a notice per use for the market
surveillance and data protection authorities (Art. 5(4), with no sensitive operational data)
and the yearly report of requests, decisions and results (Art. 5(6)).

A notice holds no location (no coordinates, no place or area), no names (no officers, no
subjects), no references (no watchlist, document, signage or camera names): what kind of use,
when (to the day), for what objective, under what authorisation, and how large. Read by
oversight and admins (who read the audit log too).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError
from lfr.governance.law.profiles import ANNUAL_REPORT, NOTICE_PER_USE, RULES
from lfr.store.tables import AuthorityRequest, Deployment, DeploymentRecord

RESULT_FIGURES = ("alerts", "true_alerts", "false_alerts", "arrests", "people_stopped")
"""The figures of each use's published record that the yearly report adds up."""


def _day(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment is not None else None


def _authorisation(request: AuthorityRequest | None) -> dict[str, Any]:
    if request is None:
        return {"independent": False, "decision": None, "urgent_start": False}
    return {
        "independent": True,
        "decision": request.decision,
        "decided_on": _day(request.decided_at),
        "urgent_start": request.urgent_started_at is not None,
    }


def use_notice(services: Services, actor: Actor, deployment_id: int) -> dict[str, Any]:
    """The Art. 5(4) notice of one use, redacted of operational detail."""
    require(actor, Action.AUDIT_READ)
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        if row is None:
            raise NotFoundError(f"no deployment {deployment_id}")
        request = session.get(AuthorityRequest, deployment_id)
        facts = row.live_facts or {}
        return {
            "notice": RULES[NOTICE_PER_USE].source,
            "to": ["market surveillance authority", "national data protection authority"],
            "use": row.id,
            "system": "OpenLFR real-time remote biometric identification",
            "profile": facts.get("profile"),
            "objective": row.objective,
            "state": row.state,
            "planned_from": _day(row.starts_at),
            "planned_to": _day(row.ends_at),
            "started_on": _day(row.started_at),
            "ended_on": _day(row.ended_at),
            "cameras": len(row.cameras or {}),
            "watchlist_images": row.snapshot_size,
            "authorisation": _authorisation(request),
            "issued_at": services.clock().isoformat(timespec="seconds"),
        }


def yearly_report(services: Services, actor: Actor, year: int) -> dict[str, Any]:
    """The Art. 5(6) report for ``year``: requests to the independent authority and their
    decisions (by when they were requested), urgent starts, and the results of the uses that
    started that year (from their published records)."""
    require(actor, Action.AUDIT_READ)
    if not 2000 <= year <= 9999:
        raise LfrError(f"year out of range: {year}")
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    with services.transaction() as session:
        requests = session.scalars(
            select(AuthorityRequest).where(
                AuthorityRequest.requested_at >= start, AuthorityRequest.requested_at < end
            )
        ).all()
        decisions = Counter(r.decision or "pending" for r in requests)
        return {
            "report": RULES[ANNUAL_REPORT].source,
            "year": year,
            "requests": len(requests),
            "granted": decisions["granted"],
            "refused": decisions["refused"],
            "pending": decisions["pending"],
            "urgent_starts": sum(1 for r in requests if r.urgent_started_at is not None),
            "results": _results(session, start, end),
            "issued_at": services.clock().isoformat(timespec="seconds"),
        }


def _results(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    bodies = session.scalars(
        select(DeploymentRecord.body)
        .join(Deployment, Deployment.id == DeploymentRecord.deployment_id)
        .where(Deployment.started_at >= start, Deployment.started_at < end)
    ).all()
    totals = {"uses": len(bodies)} | {name: 0 for name in RESULT_FIGURES}
    for body in bodies:
        for name in RESULT_FIGURES:
            totals[name] += int(body.get(name) or 0)
    return totals
