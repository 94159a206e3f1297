"""What the clock decides, run by a scheduler as the system actor (``lfr deployment enforce``,
or ``lfr.centre.schedule_enforcer`` inside ``lfr serve``): a deployment whose window is
over is ended, and an emergency start not authorised in time is refused - ended if still live,
every alert and count it produced deleted, its record republished to say so. The failed logins
of a window that is over are audited (``lfr.governance.accounts.login_failures``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lfr.access.roles import SYSTEM, Action, require
from lfr.access.services import Services
from lfr.governance.accounts.login_failures import close_windows
from lfr.governance.authority.actions import ScheduleAction
from lfr.governance.authority.clock import enforce_authority
from lfr.governance.deployments.lifecycle import end_live
from lfr.governance.deployments.plan import audit_target, emergency_deadline, iso
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.records.published import publish_record
from lfr.governance.states import EMERGENCY_REFUSED, DeploymentState
from lfr.store.tables import AlertRow, Deployment

WINDOW_ENDED = "window ended"
"""``end_reason`` of a deployment the schedule ended at the end of its window."""


def enforce_schedule(services: Services, now: datetime | None = None) -> list[ScheduleAction]:
    """End deployments whose window is over, and refuse emergency starts not authorised in
    time (ending them and deleting their alerts and counts). Returns one action per deployment."""
    actor = SYSTEM
    require(actor, Action.DEPLOYMENT_END)
    done: list[ScheduleAction] = []
    with services.transaction() as session:
        now = now or services.clock()
        policy = policy_in_force(session)
        live = session.scalars(
            select(Deployment)
            .where(Deployment.state == DeploymentState.LIVE)
            .order_by(Deployment.id)
            .with_for_update()
        ).all()
        for row in live:
            if now >= row.ends_at:
                end_live(session, services, actor.username, row, now, WINDOW_ENDED)
                done.append(ScheduleAction(row.id, WINDOW_ENDED))
        unauthorised = session.scalars(
            select(Deployment)
            .where(
                Deployment.emergency.is_(True),
                Deployment.authorised_by.is_(None),
                Deployment.state.in_([DeploymentState.LIVE, DeploymentState.ENDED]),
            )
            .order_by(Deployment.id)
            .with_for_update()
        ).all()
        for row in unauthorised:
            if row.end_reason != EMERGENCY_REFUSED and now > emergency_deadline(row, policy):
                deleted = _refuse_emergency(session, services, actor.username, row, now, policy)
                reason = (
                    "emergency start not authorised within"
                    f" {policy.emergency_authorisation_hours} h"
                )
                done.append(ScheduleAction(row.id, reason, f"{deleted} alert(s) deleted"))
        done += enforce_authority(session, services, actor.username, now)  # issue 11
    close_windows(services, now)  # failed logins of a window that is over: one audit entry
    return done


def _refuse_emergency(
    session: Session,
    services: Services,
    actor_name: str,
    row: Deployment,
    now: datetime,
    policy: Policy,
) -> int:
    """End (if live) an emergency start not authorised in time and delete what it produced;
    returns the alerts deleted."""
    if row.state == DeploymentState.LIVE:
        end_live(session, services, actor_name, row, now, EMERGENCY_REFUSED)
    row.end_reason = EMERGENCY_REFUSED
    result = session.execute(delete(AlertRow).where(AlertRow.deployment_id == row.id))
    alerts = int(getattr(result, "rowcount", 0) or 0)
    counts = {
        "frames": row.frames,
        "face_detections": row.face_detections,
        "tracks": row.tracks,
    }
    row.frames = row.face_detections = row.tracks = 0
    session.flush()
    services.record(
        session,
        actor_name,
        "deployment.emergency.refused",
        audit_target(row.id),
        {
            "deadline": iso(emergency_deadline(row, policy)),
            "alerts_deleted": alerts,
            "counts_deleted": counts,
        },
    )
    publish_record(session, row, now)
    return alerts
