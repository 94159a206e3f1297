"""Alerts delivered after their deployment ended: an edge node raised them inside the window,
but its link was down until after the end. They are accepted (and the published record revised)
when they were raised between going live and the end, arrive within the policy's alert
retention, and the deployment's use was not deleted (EU AI Act Art. 5(3),
``lfr.governance.authority.use_deletion``): what a deleted use produced must stay deleted.

The snapshot is wiped at the end, so the subject check uses the references kept when it went
live (``Deployment.snapshot_references``: no template, no image)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.states import DELETED_REASONS, EMERGENCY_REFUSED, DeploymentState
from lfr.store.tables import Deployment


def late_refusal(
    session: Session, deployment: Deployment, raised_at: datetime | None, now: datetime
) -> str | None:
    """Why an alert for ``deployment``, which is not live, is refused; None when it is accepted
    as late."""
    if deployment.state != DeploymentState.ENDED:
        return "it has not been live"
    if deployment.end_reason in (*DELETED_REASONS, EMERGENCY_REFUSED):
        return "its use was deleted"
    started, ended = deployment.started_at, deployment.ended_at
    if raised_at is None or started is None or ended is None:
        return "the alert does not say when it was raised"
    if not started <= raised_at <= ended:
        return "the alert was raised outside its window"
    kept_for = timedelta(days=policy_in_force(session).retention.alert_days)
    if now > ended + kept_for:
        return "it ended longer ago than alerts are kept"
    return None


def on_wiped_snapshot(deployment: Deployment, reference: str) -> bool:
    """Whether ``reference`` was on the snapshot the ended ``deployment`` went live with."""
    return reference in (deployment.snapshot_references or ())
