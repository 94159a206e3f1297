"""An officer's history: the alerts they already handled - adjudicated, second-confirmed, or
recorded the outcome of - newest first, a page at a time. Like the live queue, an operator or
field officer sees only the alerts of deployments they are (still) assigned to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, or_, select

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError
from lfr.governance.alerts.adjudication import AlertView, alert_view
from lfr.governance.deployments.assignments import assigned_deployments, sees_every_deployment
from lfr.store.tables import AlertRow

MAX_PAGE: Final = 100


@dataclass(frozen=True, slots=True)
class HandledPage:
    """A page of the alerts an officer handled, newest first."""

    alerts: list[AlertView]
    total: int
    """How many alerts this officer handled in all (for the pager)."""
    limit: int
    offset: int


def handled_alerts(
    services: Services, actor: Actor, *, limit: int = 20, offset: int = 0
) -> HandledPage:
    """The alerts ``actor`` handled, newest first: ``limit`` of them from ``offset``."""
    require(actor, Action.ALERT_READ)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise LfrError(f"a page holds 1 to {MAX_PAGE} alerts, from an offset of 0 or more")
    mine = or_(
        AlertRow.adjudicated_by == actor.username,
        AlertRow.second_confirmer == actor.username,
        AlertRow.outcome_by == actor.username,
    )
    where = [mine]
    if not sees_every_deployment(actor):
        where.append(AlertRow.deployment_id.in_(assigned_deployments(actor)))
    page = (
        select(AlertRow)
        .where(*where)
        .order_by(AlertRow.raised_at.desc(), AlertRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    with services.transaction() as session:
        total = session.scalar(select(func.count()).select_from(AlertRow).where(*where))
        alerts = [alert_view(row) for row in session.scalars(page)]
    return HandledPage(alerts, int(total or 0), limit, offset)
