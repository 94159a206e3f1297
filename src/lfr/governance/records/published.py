"""The published record of each deployment: what was done, where, why, and with what result.

Counts only: nothing in a record identifies anyone (no subject references or names, no crops,
no camera sources). Both false-alert rates are reported, per face seen and per alert, as the
Met's annual report does; a rate whose denominator is 0 is ``None`` rather than a made-up 0.

A record is a ``PublishedRecord``; its ``as_dict()`` is the JSON that is stored, published and
exported. It is published when the deployment ends (or is cancelled: a record saying so, with
the reason and no counts) and is final for what was known then; any later change (a review
after the end, counts that arrive late) is kept as a ``Revision`` with its time and what
changed, so a published figure never changes quietly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.audit.heads import latest_hash
from lfr.errors import NotFoundError
from lfr.governance.records.figures import people_figures
from lfr.governance.states import EMERGENCY_REFUSED, AlertStatus, DeploymentState
from lfr.store.tables import AlertRow, Deployment, DeploymentRecord, RecordRevision

ENGAGED = "engaged"
ARRESTED = "arrested"
ENDED: Final = "ended"
CANCELLED: Final = "cancelled"
RecordStatus = Literal["ended", "cancelled"]
NOT_REVISED = frozenset({"published_at", "audit_head", "revisions"})
"""Fields whose change is not a revision of the published figures."""


@dataclass(frozen=True, slots=True)
class RecordLocation:
    """Where a deployment ran, as the public is told."""

    name: str
    area: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Revision:
    """A change after publication: when, and each changed figure as ``[before, after]``."""

    revised_at: str
    changes: dict[str, list[Any]]


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
    status: RecordStatus = ENDED
    """``ended`` or ``cancelled`` (called off before going live: every count is 0)."""
    cancel_reason: str | None = None
    published_at: str | None = None
    """When it was first published: set on a record read back from the store."""
    audit_head: str | None = None
    """The audit chain's head hash when it was (last) published (``lfr.audit.heads``): the log
    cannot later lose entries from its end without verification noticing."""
    revisions: tuple[Revision, ...] = ()
    """Changes since publication, oldest first: set on a record read back from the store."""
    profile: str | None = None
    """The jurisdiction profile it went live under (``lfr.governance.law.profiles``)."""
    entries_by_category: dict[str, int] = field(default_factory=dict)
    """Watchlist entries (people, not images) by category, as frozen when it went live."""
    under_18_entries: int | None = None
    people_stopped: int = 0
    stop_minutes_median: float | None = None
    stop_minutes_longest: float | None = None
    arrests_by_category: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The record's JSON (without ``published_at`` until it is published, nor
        ``revisions`` while there are none)."""
        body = asdict(self)
        if self.published_at is None:
            del body["published_at"]
        if self.revisions:
            body["revisions"] = [asdict(r) for r in self.revisions]
        else:
            del body["revisions"]
        return body

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> PublishedRecord:
        revisions = tuple(Revision(**r) for r in body.get("revisions", ()))
        return cls(
            **{
                **body,
                "location": RecordLocation(**body["location"]),
                "revisions": revisions,
            }
        )


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
    people = people_figures(session, deployment)
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
        status=CANCELLED if deployment.state == DeploymentState.CANCELLED else ENDED,
        cancel_reason=(
            deployment.end_reason if deployment.state == DeploymentState.CANCELLED else None
        ),
        audit_head=latest_hash(session),
        profile=people.profile,
        entries_by_category=people.entries_by_category,
        under_18_entries=people.under_18_entries,
        people_stopped=people.people_stopped,
        stop_minutes_median=people.stop_minutes_median,
        stop_minutes_longest=people.stop_minutes_longest,
        arrests_by_category=people.arrests_by_category,
    )


def publish_record(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """Build the record and store it; if one was published before, what changed since is kept
    as a revision (a review after the end).

    Runs in the caller's transaction; the caller audits."""
    record = build_record(session, deployment, now)
    _store(session, deployment.id, record, now)
    return record


def refresh_counts(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """Update only the counts of faces and frames in a stored record, as a revision (a run
    whose counts reach the store after the end). The alert figures are left as they are: the
    purge may since have deleted alert rows that they count."""
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


def add_late_alert(session: Session, deployment: Deployment, now: datetime) -> PublishedRecord:
    """Count one alert stored after the end (raised in the window, delivered late) in the
    stored record, as a revision: one more alert, unreviewed. The other alert figures are left
    as they are, as in ``refresh_counts``."""
    row = session.get(DeploymentRecord, deployment.id)
    if row is None:
        return publish_record(session, deployment, now)
    stored = PublishedRecord.from_dict(row.body)
    alerts = stored.alerts + 1
    record = replace(
        stored,
        alerts=alerts,
        unreviewed=stored.unreviewed + 1,
        false_alert_rate_per_alert=_rate(stored.false_alerts, alerts),
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
        return _read_back(session, [row])[0]


def find_record(services: Services, actor: Actor, deployment_id: int) -> PublishedRecord | None:
    """The deployment's record, or None when it has none (e.g. cancelled before records of
    cancellations were kept)."""
    require(actor, Action.RECORD_READ)
    with services.transaction() as session:
        row = session.get(DeploymentRecord, deployment_id)
        return None if row is None else _read_back(session, [row])[0]


def public_records(services: Services) -> list[PublishedRecord]:
    """Every published record, newest deployment first: for the public page (no account)."""
    with services.transaction() as session:
        rows = session.scalars(
            select(DeploymentRecord).order_by(DeploymentRecord.deployment_id.desc())
        )
        return _read_back(session, list(rows))


def public_schedule(services: Services) -> list[dict[str, Any]]:
    """Authorised and live deployments, announced in advance: where, when and why, and how
    many cameras (not where they are, nor any watchlist). For the public page."""
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
                "cameras": len(row.cameras or {}),
            }
            for row in rows
        ]


def _store(session: Session, deployment_id: int, record: PublishedRecord, now: datetime) -> None:
    """Publish ``record``, or revise the published one: only a change of a published figure is
    stored, with a revision saying what changed and when (``published_at`` stays the first)."""
    body = _stored_body(record)
    row = session.get(DeploymentRecord, deployment_id)
    if row is None:
        session.add(DeploymentRecord(deployment_id=deployment_id, published_at=now, body=body))
    else:
        changes = _changes(row.body, body)
        if not changes:
            return
        session.add(RecordRevision(deployment_id=deployment_id, revised_at=now, changes=changes))
        row.body = body
    session.flush()


def _stored_body(record: PublishedRecord) -> dict[str, Any]:
    body = record.as_dict()
    for key in ("published_at", "revisions"):
        body.pop(key, None)
    return body


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for each published figure that differs."""
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in NOT_REVISED and before.get(key) != value
    }


def _read_back(session: Session, rows: list[DeploymentRecord]) -> list[PublishedRecord]:
    """Stored records with their publication time and revisions (one query for all)."""
    revisions: dict[int, list[Revision]] = {}
    query = (
        select(RecordRevision)
        .where(RecordRevision.deployment_id.in_([row.deployment_id for row in rows]))
        .order_by(RecordRevision.id)
    )
    for revision in session.scalars(query):
        revisions.setdefault(revision.deployment_id, []).append(
            Revision(revision.revised_at.isoformat(timespec="seconds"), revision.changes)
        )
    return [
        replace(
            PublishedRecord.from_dict(row.body),
            published_at=row.published_at.isoformat(timespec="seconds"),
            revisions=tuple(revisions.get(row.deployment_id, ())),
        )
        for row in rows
    ]


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
