"""Deleting one use (EU AI Act Art. 5(3)): when the independent authority refuses an urgent
start, or its clock runs out without a grant, the deployment stops at once and every alert,
crop, count, lookalike negative and its snapshot are deleted; its own data key is destroyed
(``lfr.store.deployment_keys``), so any copy of what was sealed with it is unreadable.

One "deployment.use.deleted" audit entry proves it: what was deleted (counts, the alert ids,
which ``lfr audit verify`` accepts as deleted) and the id of the key destroyed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.audit.alerts import PURGED_IDS, USE_DELETED
from lfr.governance.alerts.views import forget_views
from lfr.governance.deployments.lifecycle import end_live
from lfr.governance.deployments.plan import audit_target
from lfr.governance.deployments.snapshot import wipe_snapshot
from lfr.governance.records.published import publish_record
from lfr.governance.states import DeploymentState
from lfr.store.deployment_keys import destroy_deployment_key
from lfr.store.tables import AlertRow, Deployment, Encounter


@dataclass(frozen=True, slots=True)
class UseDeleted:
    alerts: int
    snapshot_templates: int
    lookalike_negatives: int
    key_id: str | None


def delete_use(
    session: Session,
    services: Services,
    actor_name: str,
    row: Deployment,
    now: datetime,
    reason: str,
    source: str,
) -> UseDeleted:
    """Stop ``row`` (if live) and delete everything its use produced, in the caller's
    transaction, with the audit entry that proves it. ``source``: the rule's legal source."""
    if row.state == DeploymentState.LIVE:
        end_live(session, services, actor_name, row, now, reason)
    wiped = None
    if row.snapshot_wiped_at is None:  # not wiped by the end of its window
        wiped = wipe_snapshot(session, row, now)
    alert_ids = list(session.scalars(select(AlertRow.id).where(AlertRow.deployment_id == row.id)))
    forget_views(session, alert_ids)
    session.execute(delete(AlertRow).where(AlertRow.deployment_id == row.id))
    # The encounters are results of that use too (stops it caused, and stops recorded in it).
    encounters = session.execute(delete(Encounter).where(Encounter.deployment_id == row.id))
    counts = {
        "frames": row.frames,
        "face_detections": row.face_detections,
        "tracks": row.tracks,
        "lookalikes_suppressed": row.lookalikes_suppressed,
    }
    row.frames = row.face_detections = row.tracks = row.lookalikes_suppressed = 0
    row.end_reason = reason
    key_id = destroy_deployment_key(session, row.id)
    session.flush()
    templates, negatives = (wiped.templates, wiped.lookalikes.negatives) if wiped else (0, 0)
    done = UseDeleted(len(alert_ids), templates, negatives, key_id)
    services.record(
        session,
        actor_name,
        USE_DELETED,
        audit_target(row.id),
        {
            "reason": reason,
            "source": source,
            "alerts_deleted": done.alerts,
            PURGED_IDS: alert_ids,
            "snapshot_templates_deleted": done.snapshot_templates,
            "lookalike_negatives_deleted": done.lookalike_negatives,
            "counts_deleted": counts,
            "encounters_deleted": int(getattr(encounters, "rowcount", 0) or 0),
            "key_id_destroyed": key_id,
        },
    )
    publish_record(session, row, now)
    return done
