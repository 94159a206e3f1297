"""The published record of each deployment: what was done, where, why, and with what result.

Counts only: nothing in a record identifies anyone (no subject references or names, no crops,
no camera sources). Both false-alert rates are reported, per face seen and per alert, as the
Met's annual report does; a rate whose denominator is 0 is ``None`` rather than a made-up 0.

A record is a ``PublishedRecord``; its ``as_dict()`` is the JSON that is stored, published and
exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.audit.heads import latest_hash
from lfr.errors import NotFoundError
from lfr.governance.states import AlertStatus, DeploymentState
from lfr.store.tables import AlertRow, Deployment, DeploymentRecord

ENGAGED = "engaged"
ARRESTED = "arrested"
EMERGENCY_REFUSED = "emergency start not authorised in time"
"""``end_reason`` of an emergency deployment whose alerts and counts were deleted."""


@dataclass(frozen=True, slots=True)
class RecordLocation:
    name: str
    area: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class PublishedRecord:
    """What was done, where, why, and with what result: counts only. Times are the ISO strings
    published (to the minute; ``published_at`` to the second)."""

    deployment_id: int
    date: str
    started_at: str | None
    ended_at: str | None
    duration_minutes: int
    location: RecordLocation
    purpose: str
    threshold: float
    watchlist_size: int
    """Images on the frozen watchlist, as the Met counts its lists."""
    faces_seen: int
    """Distinct faces (tracks)."""
    face_detections: int
    frames: int
    alerts: int
    true_alerts: int
    false_alerts: int
    unreviewed: int
    engagements: int
    false_alert_engagements: int
    arrests: int
    false_alert_rate_per_face_seen: float | None
    false_alert_rate_per_alert: float | None
    emergency_start: bool
    emergency_authorisation_refused: bool
    published_at: str | None = None
    """When it was (last) published: set on a record read back from the store."""
    audit_head: str | None = None
    """The audit chain's head hash when it was (last) published (``lfr.audit.heads``): the log
    cannot later lose entries from its end without verification noticing."""

    def as_dict(self) -> dict[str, Any]:
        """The record's JSON (without ``published_at`` until it is published)."""
        body = asdict(self)
        if self.published_at is None:
            del body["published_at"]
        return body

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> PublishedRecord:
        return cls(**{**body, "location": RecordLocation(**body["location"])})


def build_record(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """The record from the deployment's counts and its alerts' adjudications."""
    tally: dict[tuple[str, str | None], int] = {}
    for status, outcome, count in session.execute(
        select(AlertRow.status, AlertRow.outcome, func.count())
        .where(AlertRow.deployment_id == deployment.id)
        .group_by(AlertRow.status, AlertRow.outcome)
    ):
        tally[(str(status), outcome)] = int(count)

    def total(status: AlertStatus | None = None, outcomes: tuple[str, ...] | None = None) -> int:
        return sum(
            n
            for (s, o), n in tally.items()
            if (status is None or s == status) and (outcomes is None or o in outcomes)
        )

    alerts = total()
    true_alerts = total(AlertStatus.CONFIRMED)
    false_alerts = total(AlertStatus.FALSE_ALERT)
    faces_seen = deployment.tracks
    started = deployment.started_at
    finished = deployment.ended_at or now
    minutes = round((finished - started).total_seconds() / 60) if started else 0
    return PublishedRecord(
        deployment_id=deployment.id,
        date=(started or deployment.starts_at).date().isoformat(),
        started_at=started.isoformat(timespec="minutes") if started else None,
        ended_at=deployment.ended_at.isoformat(timespec="minutes") if deployment.ended_at else None,
        duration_minutes=minutes,
        location=RecordLocation(
            name=deployment.location_name,
            area=deployment.area_description,
            latitude=deployment.latitude,
            longitude=deployment.longitude,
        ),
        purpose=deployment.purpose,
        threshold=deployment.threshold,
        watchlist_size=deployment.snapshot_size,
        faces_seen=faces_seen,
        face_detections=deployment.face_detections,
        frames=deployment.frames,
        alerts=alerts,
        true_alerts=true_alerts,
        false_alerts=false_alerts,
        unreviewed=alerts - true_alerts - false_alerts,
        engagements=total(outcomes=(ENGAGED, ARRESTED)),
        false_alert_engagements=total(AlertStatus.FALSE_ALERT, (ENGAGED, ARRESTED)),
        arrests=total(outcomes=(ARRESTED,)),
        false_alert_rate_per_face_seen=_rate(false_alerts, faces_seen),
        false_alert_rate_per_alert=_rate(false_alerts, alerts),
        emergency_start=deployment.emergency,
        emergency_authorisation_refused=deployment.end_reason == EMERGENCY_REFUSED,
        audit_head=latest_hash(session),
    )


def publish_record(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """Build the record and store it (replacing an earlier one: later adjudications update it).

    Runs in the caller's transaction; the caller audits."""
    record = build_record(session, deployment, now)
    _store(session, deployment.id, record, now)
    return record


def refresh_counts(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """Update only the counts of faces and frames in a stored record (a run's counts arrive a
    moment after the end). The alert figures are left as they are: the purge may since have
    deleted alert rows that they count."""
    row = session.get(DeploymentRecord, deployment.id)
    if row is None:
        return publish_record(session, deployment, now)
    stored = PublishedRecord.from_dict(row.body)
    record = replace(
        stored,
        frames=deployment.frames,
        face_detections=deployment.face_detections,
        faces_seen=deployment.tracks,
        false_alert_rate_per_face_seen=_rate(stored.false_alerts, deployment.tracks),
        audit_head=latest_hash(session),
    )
    _store(session, deployment.id, record, now)
    return record


def get_record(services: Services, actor: Actor, deployment_id: int) -> PublishedRecord:
    require(actor, Action.RECORD_READ)
    with services.transaction() as session:
        row = session.get(DeploymentRecord, deployment_id)
        if row is None:
            raise NotFoundError(
                f"deployment {deployment_id} has no published record (it has not ended)"
            )
        return _with_published_at(row)


def public_records(services: Services) -> list[PublishedRecord]:
    """Every published record, newest deployment first: for the public page (no account)."""
    with services.transaction() as session:
        rows = session.scalars(
            select(DeploymentRecord).order_by(DeploymentRecord.deployment_id.desc())
        )
        return [_with_published_at(row) for row in rows]


def public_schedule(services: Services) -> list[dict[str, Any]]:
    """Authorised and live deployments, announced in advance: where, when and why (no cameras,
    no watchlist). For the public page."""
    with services.transaction() as session:
        rows = session.scalars(
            select(Deployment)
            .where(Deployment.state.in_([DeploymentState.AUTHORISED, DeploymentState.LIVE]))
            .order_by(Deployment.starts_at)
        )
        return [
            {
                "deployment_id": row.id,
                "state": row.state,
                "starts_at": row.starts_at.isoformat(timespec="minutes"),
                "ends_at": row.ends_at.isoformat(timespec="minutes"),
                "location": {
                    "name": row.location_name,
                    "area": row.area_description,
                    "latitude": row.latitude,
                    "longitude": row.longitude,
                },
                "purpose": row.purpose,
            }
            for row in rows
        ]


def _store(session: Session, deployment_id: int, record: PublishedRecord, now: datetime) -> None:
    body = record.as_dict()
    row = session.get(DeploymentRecord, deployment_id)
    if row is None:
        session.add(DeploymentRecord(deployment_id=deployment_id, published_at=now, body=body))
    else:
        row.body = body
        row.published_at = now
    session.flush()


def _with_published_at(row: DeploymentRecord) -> PublishedRecord:
    published_at = row.published_at.isoformat(timespec="seconds")
    return replace(PublishedRecord.from_dict(row.body), published_at=published_at)


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
