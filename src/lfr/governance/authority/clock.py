"""What the clock decides under independent authorisation, run with the schedule
(``lfr.governance.authority.schedule``): a run closes at the end of the window the authority
granted,
and an urgent start not granted within its 24 hours (EU AI Act Art. 5(3)) is stopped and its
use deleted (``lfr.governance.authority.use_deletion``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.governance.authority.actions import ScheduleAction
from lfr.governance.authority.use_deletion import delete_use
from lfr.governance.deployments.authority_rules import authorised_end, urgent_deadline
from lfr.governance.deployments.lifecycle import end_live
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.law.profiles import RULES, URGENT_START
from lfr.governance.states import CLOCK_EXPIRED, DELETED_REASONS, DeploymentState
from lfr.store.tables import AuthorityRequest, Deployment

GRANTED_WINDOW_ENDED = "the authorised window ended"


def enforce_authority(
    session: Session, services: Services, actor_name: str, now: datetime
) -> list[ScheduleAction]:
    """Close runs past their granted window; delete urgent uses past their clock. One action
    per deployment."""
    done = []
    live = session.scalars(
        select(Deployment)
        .join(AuthorityRequest, AuthorityRequest.deployment_id == Deployment.id)
        .where(Deployment.state == DeploymentState.LIVE)
        .order_by(Deployment.id)
        .with_for_update(of=Deployment)
    ).all()
    for row in live:
        if now >= authorised_end(session, row):
            end_live(session, services, actor_name, row, now, GRANTED_WINDOW_ENDED)
            done.append(ScheduleAction(row.id, GRANTED_WINDOW_ENDED))
    policy = policy_in_force(session)
    waiting = session.scalars(
        select(AuthorityRequest)
        .where(AuthorityRequest.urgent_started_at.is_not(None), AuthorityRequest.decision.is_(None))
        .order_by(AuthorityRequest.deployment_id)
    ).all()
    for request in waiting:
        deadline = urgent_deadline(request, policy)
        expired = session.get(Deployment, request.deployment_id, with_for_update=True)
        if deadline is None or now <= deadline or expired is None:
            continue
        if expired.end_reason in DELETED_REASONS:
            continue
        deleted = delete_use(
            session, services, actor_name, expired, now, CLOCK_EXPIRED, RULES[URGENT_START].source
        )
        done.append(
            ScheduleAction(
                expired.id,
                f"urgent start not authorised by {deadline.isoformat()}",
                f"{deleted.alerts} alert(s) deleted, its key destroyed",
            )
        )
    return done
