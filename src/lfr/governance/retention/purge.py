"""Retention: biometric data and alerts are kept no longer than the policy allows.

``purge`` applies ``policy.retention`` to everything stored:

* alert media (probe and enrolled crops) older than ``alert_media_days`` -> erased, the alert
  row keeps ``media_purged_at``;
* alert rows older than ``alert_days`` -> deleted;
* watchlist snapshot templates of a deployment that is not live, or whose window ended more than
  ``snapshot_hours_after_end`` ago -> deleted (a safety net: ending a deployment already wipes
  its snapshot);
* enrolment images (templates and face crops) of watchlist entries removed or expired more than
  24 hours ago -> deleted (the entry's record stays, its biometric data is no longer needed).

Alerts on evidential hold are never purged. Each run writes one "retention.purge" audit entry
with the counts (also when nothing was due), in the same transaction as the deletions.

``lfr.centre.purge_scheduler`` runs the purge as the system actor on a background thread.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Delete,
    Update,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.audit.alerts import MEDIA_PURGED_IDS, PURGED_IDS
from lfr.governance.alerts.views import forget_views
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists.lookalikes import wipe_lookalikes
from lfr.store.tables import AlertRow, Deployment, EntryImage, SnapshotTemplate, WatchlistEntry

log = logging.getLogger(__name__)

ENTRY_IMAGE_GRACE = timedelta(hours=24)
"""Enrolment images of a removed or expired entry are deleted this long afterwards."""


@dataclass(frozen=True, slots=True)
class PurgeReport:
    at: datetime
    alert_media_purged: int
    alerts_deleted: int
    held_alerts_kept: int
    """Alerts past a retention limit that an evidential hold keeps."""
    snapshot_templates_deleted: int
    snapshot_deployments: tuple[int, ...]
    entry_images_deleted: int

    def counts(self) -> dict[str, Any]:
        body = asdict(self)
        body.pop("at")
        body["snapshot_deployments"] = list(self.snapshot_deployments)
        return body

    @property
    def removed(self) -> int:
        return (
            self.alert_media_purged
            + self.alerts_deleted
            + self.snapshot_templates_deleted
            + self.entry_images_deleted
        )


def _rowcount(session: Session, statement: Delete | Update) -> int:
    result = cast(
        CursorResult[Any],
        session.execute(statement, execution_options={"synchronize_session": False}),
    )
    return int(result.rowcount or 0)


def purge(services: Services, actor: Actor, now: datetime | None = None) -> PurgeReport:
    """Apply the retention policy now (or at ``now``); audited with the counts."""
    require(actor, Action.RETENTION_PURGE)
    with services.transaction() as session:
        now = now or services.clock()
        rules = policy_in_force(session).retention
        media_cutoff = now - timedelta(days=rules.alert_media_days)
        alert_cutoff = now - timedelta(days=rules.alert_days)
        snapshot_cutoff = now - timedelta(hours=rules.snapshot_hours_after_end)
        entry_cutoff = now - ENTRY_IMAGE_GRACE
        not_held = AlertRow.hold_reason.is_(None)

        held = int(
            session.scalar(
                select(func.count())
                .select_from(AlertRow)
                .where(
                    AlertRow.hold_reason.is_not(None),
                    AlertRow.raised_at <= max(media_cutoff, alert_cutoff),
                )
            )
            or 0
        )
        # The ids go into the audit entry, so that verification can tell a purged alert from
        # one removed or stripped of its crops behind the services' back.
        deleted_ids = _alert_ids(session, AlertRow.raised_at <= alert_cutoff, not_held)
        alerts_deleted = _rowcount(session, delete(AlertRow).where(AlertRow.id.in_(deleted_ids)))
        forget_views(session, deleted_ids)  # who loaded their pictures goes with them
        erased_ids = _alert_ids(
            session,
            AlertRow.raised_at <= media_cutoff,
            not_held,
            or_(AlertRow.probe_crop_enc.is_not(None), AlertRow.enrolled_crop_enc.is_not(None)),
        )
        media_purged = _rowcount(
            session,
            update(AlertRow)
            .where(AlertRow.id.in_(erased_ids))
            .values(probe_crop_enc=None, enrolled_crop_enc=None, media_purged_at=now),
        )

        # Not live (ended, cancelled, never started), or still marked live long after its
        # window closed (a worker that never stopped): the snapshot must not outlive either.
        stale = or_(Deployment.state != DeploymentState.LIVE, Deployment.ends_at <= snapshot_cutoff)
        deployment_ids = tuple(
            sorted(
                session.scalars(
                    select(SnapshotTemplate.deployment_id)
                    .join(Deployment, Deployment.id == SnapshotTemplate.deployment_id)
                    .where(stale)
                    .distinct()
                )
            )
        )
        templates_deleted = 0
        if deployment_ids:
            templates_deleted = _rowcount(
                session,
                delete(SnapshotTemplate).where(SnapshotTemplate.deployment_id.in_(deployment_ids)),
            )
            wipe_lookalikes(session, deployment_ids)  # they go with the snapshot
            _rowcount(
                session,
                update(Deployment)
                .where(Deployment.id.in_(deployment_ids), Deployment.snapshot_wiped_at.is_(None))
                .values(snapshot_wiped_at=now),
            )

        gone_entries = select(WatchlistEntry.id).where(
            or_(
                WatchlistEntry.removed_at <= entry_cutoff, WatchlistEntry.expires_at <= entry_cutoff
            )
        )
        images_deleted = _rowcount(
            session, delete(EntryImage).where(EntryImage.entry_id.in_(gone_entries))
        )

        report = PurgeReport(
            at=now,
            alert_media_purged=media_purged,
            alerts_deleted=alerts_deleted,
            held_alerts_kept=held,
            snapshot_templates_deleted=templates_deleted,
            snapshot_deployments=deployment_ids,
            entry_images_deleted=images_deleted,
        )
        services.record(
            session,
            actor.username,
            "retention.purge",
            "retention",
            {
                **report.counts(),
                "as_of": now.isoformat(),
                "rules": rules.model_dump(),
                PURGED_IDS: deleted_ids,
                MEDIA_PURGED_IDS: erased_ids,
            },
        )
        return report


def _alert_ids(session: Session, *where: ColumnElement[bool]) -> list[str]:
    return list(session.scalars(select(AlertRow.id).where(*where).order_by(AlertRow.id)))
