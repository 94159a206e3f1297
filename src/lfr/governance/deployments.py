"""Deployments: plan, authorise, confirm signage, go live on a frozen snapshot, end.

State machine::

    draft -> authorised -> live -> ended
    draft | authorised -> cancelled

Going live is refused, naming every missing condition at once, unless someone other than the
planner authorised it, signage is confirmed, the threshold is within the policy, the time window
is open and the watchlist is within the policy. Going live freezes a snapshot of the watchlist
(re-sealed for this deployment, its digest audited) that the camera workers search; ending the
deployment deletes the snapshot and publishes the deployment's record.

An emergency start without authorisation is possible only where the policy allows it; unless it
is authorised within ``policy.emergency_authorisation_hours`` of the start, ``enforce_schedule``
ends it and deletes every alert and count it produced.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from lfr.access.roles import SYSTEM, Action, Actor, require
from lfr.access.services import Services
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import (
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    StateError,
)
from lfr.governance.policy import Policy
from lfr.governance.policy_service import policy_in_force
from lfr.governance.records import EMERGENCY_REFUSED, publish_record
from lfr.governance.watchlists import active_templates
from lfr.ingest.redact import redact_url
from lfr.match.watchlist import Watchlist
from lfr.store.sealing import open_image, open_vector, seal_image, seal_vector
from lfr.store.tables import (
    AlertRow,
    Deployment,
    EntryImage,
    SnapshotTemplate,
    WatchlistEntry,
)
from lfr.store.tables import Watchlist as WatchlistRow


class DeploymentState(StrEnum):
    DRAFT = "draft"
    AUTHORISED = "authorised"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


S = DeploymentState
WINDOW_ENDED = "window ended"
SNAPSHOT_KIND = "snapshot"
_FEW = 5


class DeploymentPlan(BaseModel):
    """What a planner asks for. Shape is checked here; the policy is checked by the service."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field(min_length=1, max_length=200)
    location_name: str = Field(min_length=1, max_length=200)
    latitude: float = Field(ge=-90.0, le=90.0, allow_inf_nan=False)
    longitude: float = Field(ge=-180.0, le=180.0, allow_inf_nan=False)
    area_description: str = Field(min_length=1, max_length=2000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    cameras: dict[str, str] = Field(min_length=1, description="camera name -> source spec")
    watchlist_id: int = Field(ge=1)
    threshold: float = Field(gt=0.0, allow_inf_nan=False)
    dpia_reference: str = Field(min_length=1, max_length=200)

    @field_validator("cameras")
    @classmethod
    def _cameras(cls, cameras: dict[str, str]) -> dict[str, str]:
        clean: dict[str, str] = {}
        for name, spec in cameras.items():
            if not name.strip() or len(name.strip()) > 100:
                raise ValueError("each camera needs a name of 1-100 characters")
            if not spec.strip():
                raise ValueError(f"camera {name.strip()!r} has no source")
            clean[name.strip()] = spec.strip()
        return clean

    @model_validator(mode="after")
    def _window(self) -> DeploymentPlan:
        if self.ends_at <= self.starts_at:
            raise ValueError("the time window must end after it starts")
        return self


@dataclass(frozen=True)
class DeploymentView:
    """A deployment as staff see it: camera sources have their credentials redacted."""

    id: int
    name: str
    purpose: str
    location_name: str
    latitude: float
    longitude: float
    area_description: str
    starts_at: datetime
    ends_at: datetime
    cameras: dict[str, str]
    watchlist_id: int
    watchlist_name: str
    threshold: float
    dpia_reference: str
    state: str
    planner: str
    created_at: datetime
    authorised_by: str | None
    authorised_at: datetime | None
    authorisation_note: str | None
    signage_confirmed_by: str | None
    signage_confirmed_at: datetime | None
    signage_reference: str | None
    emergency: bool
    emergency_authorise_by: datetime | None
    """For an unauthorised emergency start: when it must be authorised by."""
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    snapshot_digest: str | None
    snapshot_size: int
    snapshot_wiped_at: datetime | None
    frames: int
    face_detections: int
    faces_seen: int
    """Distinct faces (tracks), as in the published record."""

    def as_dict(self) -> dict[str, Any]:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }


# --- services -------------------------------------------------------------------------------


def plan_deployment(services: Services, actor: Actor, plan: DeploymentPlan) -> int:
    """Record a draft deployment; refused if it breaks the policy or names no watchlist."""
    require(actor, Action.DEPLOYMENT_PLAN)
    with services.transaction() as session:
        now = services.clock()
        policy = policy_in_force(session)
        problems = _plan_problems(
            policy, plan.purpose, plan.starts_at, plan.ends_at, plan.threshold
        )
        if plan.ends_at <= now:
            problems.append(f"the window has already ended ({_iso(plan.ends_at)})")
        if problems:
            raise PolicyViolationError("deployment refused: " + "; ".join(problems))
        if session.get(WatchlistRow, plan.watchlist_id) is None:
            raise NotFoundError(f"no watchlist with id {plan.watchlist_id}")
        row = Deployment(
            name=plan.name,
            purpose=plan.purpose,
            location_name=plan.location_name,
            latitude=plan.latitude,
            longitude=plan.longitude,
            area_description=plan.area_description,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            cameras=dict(plan.cameras),
            watchlist_id=plan.watchlist_id,
            threshold=plan.threshold,
            dpia_reference=plan.dpia_reference,
            state=S.DRAFT.value,
            planner=actor.username,
            created_at=now,
        )
        session.add(row)
        session.flush()
        services.record(
            session,
            actor.username,
            "deployment.plan",
            _target(row.id),
            {
                "name": plan.name,
                "purpose": plan.purpose,
                "location": plan.location_name,
                "starts_at": _iso(plan.starts_at),
                "ends_at": _iso(plan.ends_at),
                "cameras": _redacted(plan.cameras),
                "watchlist_id": plan.watchlist_id,
                "threshold": plan.threshold,
                "dpia_reference": plan.dpia_reference,
            },
        )
        return row.id


def authorise(services: Services, actor: Actor, deployment_id: int, note: str = "") -> None:
    """Authorise a draft; or, within the policy's window, an emergency start already made."""
    require(actor, Action.DEPLOYMENT_AUTHORISE)
    with services.transaction() as session:
        row = _load(session, deployment_id, lock=True)
        now = services.clock()
        policy = policy_in_force(session)
        if actor.username == row.planner:
            raise PermissionDeniedError(
                f"deployment {row.id} must be authorised by someone other than its planner"
                f" ({row.planner})"
            )
        if row.authorised_by is not None:
            raise StateError(f"deployment {row.id} is already authorised by {row.authorised_by}")
        retrospective = row.emergency and row.state in (S.LIVE, S.ENDED)
        if retrospective:
            deadline = _emergency_deadline(row, policy)
            if row.end_reason == EMERGENCY_REFUSED or now > deadline:
                raise StateError(
                    f"deployment {row.id} started in an emergency; the time to authorise it"
                    f" ended at {_iso(deadline)} and its alerts were or will be deleted"
                )
        elif row.state != S.DRAFT:
            raise StateError(
                f"deployment {row.id} is {row.state}; only a draft (or an emergency start within"
                f" {policy.emergency_authorisation_hours} h) can be authorised"
            )
        problems = _plan_problems(policy, row.purpose, row.starts_at, row.ends_at, row.threshold)
        if problems:
            raise PolicyViolationError(f"deployment {row.id}: " + "; ".join(problems))
        if row.state == S.DRAFT:
            row.state = S.AUTHORISED.value
        row.authorised_by = actor.username
        row.authorised_at = now
        row.authorisation_note = note
        services.record(
            session,
            actor.username,
            "deployment.authorise",
            _target(row.id),
            {"note": note, "emergency_start": retrospective, "state": row.state},
        )


def confirm_signage(services: Services, actor: Actor, deployment_id: int, reference: str) -> None:
    """Record that the area is signposted: by whom, when, and a reference (photo, log entry)."""
    require(actor, Action.DEPLOYMENT_SIGNAGE)
    reference = reference.strip()
    if not reference:
        raise PolicyViolationError("signage confirmation needs a reference (photo, log entry)")
    with services.transaction() as session:
        row = _load(session, deployment_id, lock=True)
        if row.state not in (S.DRAFT, S.AUTHORISED):
            raise StateError(
                f"deployment {row.id} is {row.state}; signage is confirmed before it goes live"
            )
        row.signage_confirmed_by = actor.username
        row.signage_confirmed_at = services.clock()
        row.signage_reference = reference[:200]
        services.record(
            session,
            actor.username,
            "deployment.signage",
            _target(row.id),
            {"reference": row.signage_reference},
        )


def go_live_problems(
    session: Session,
    services: Services,
    deployment: Deployment,
    now: datetime,
    *,
    emergency: bool = False,
) -> list[str]:
    """Every reason ``deployment`` may not go live now (empty when it may)."""
    if deployment.state not in (S.DRAFT, S.AUTHORISED):
        return [f"it is {deployment.state} (only a draft or authorised deployment can go live)"]
    policy = policy_in_force(session)
    problems: list[str] = []
    if deployment.authorised_by is None:
        if emergency and not policy.emergency_start_allowed:
            problems.append("not authorised, and the policy does not allow an emergency start")
        elif not emergency:
            problems.append("not authorised by an authorising officer")
    elif deployment.authorised_by == deployment.planner:
        problems.append(
            f"authorised by its own planner ({deployment.planner}); someone else must authorise it"
        )
    if deployment.signage_confirmed_at is None:
        problems.append("signage not confirmed")
    problems += _plan_problems(
        policy, deployment.purpose, deployment.starts_at, deployment.ends_at, deployment.threshold
    )
    if now < deployment.starts_at:
        problems.append(f"its window has not started (it starts {_iso(deployment.starts_at)})")
    elif now >= deployment.ends_at:
        problems.append(f"its window has ended ({_iso(deployment.ends_at)})")
    problems += _watchlist_problems(session, policy, deployment.watchlist_id, now)
    return problems


def readiness(
    services: Services, actor: Actor, deployment_id: int, emergency: bool = False
) -> list[str]:
    """What still stands in the way of going live (for a checklist on screen)."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        row = _load(session, deployment_id)
        return go_live_problems(session, services, row, services.clock(), emergency=emergency)


def start(services: Services, actor: Actor, deployment_id: int, emergency: bool = False) -> str:
    """Go live: freeze the watchlist snapshot and return its digest (also in the audit log)."""
    require(actor, Action.DEPLOYMENT_START)
    with services.transaction() as session:
        row = _load(session, deployment_id, lock=True)
        now = services.clock()
        problems = go_live_problems(session, services, row, now, emergency=emergency)
        if problems:
            raise StateError(f"deployment {row.id} cannot go live: " + "; ".join(problems))
        templates = active_templates(session, services.cipher, row.watchlist_id, now)
        watchlist = Watchlist.from_templates(templates[0][1].contract, [t for _, t in templates])
        owner = str(row.id)
        session.add_all(
            SnapshotTemplate(
                deployment_id=row.id,
                entry_id=entry_id,
                subject=asdict(template.subject),
                image_name=template.image_name,
                contract=asdict(template.contract),
                template_enc=seal_vector(
                    services.cipher, template.embedding, SNAPSHOT_KIND, owner, _name(template)
                ),
                face_jpeg_enc=seal_image(
                    services.cipher, template.face_jpeg, SNAPSHOT_KIND, owner, _name(template)
                ),
            )
            for entry_id, template in templates
        )
        digest = watchlist.digest()
        row.state = S.LIVE.value
        row.started_at = now
        row.emergency = row.authorised_by is None
        row.snapshot_digest = digest
        row.snapshot_size = watchlist.size
        session.flush()
        services.record(
            session,
            actor.username,
            "deployment.start",
            _target(row.id),
            {
                "snapshot_digest": digest,
                "snapshot_size": watchlist.size,
                "subjects": len(watchlist.subjects),
                "watchlist_id": row.watchlist_id,
                "threshold": row.threshold,
                "emergency": row.emergency,
                "authorised_by": row.authorised_by,
                "policy_digest": policy_in_force(session).digest(),
            },
        )
        return digest


def load_snapshot(services: Services, actor: Actor, deployment_id: int) -> Watchlist:
    """The frozen watchlist of a live deployment, checked against the digest recorded at start."""
    require(actor, Action.DEPLOYMENT_RUN)
    with services.transaction() as session:
        row = _load(session, deployment_id)
        if row.state != S.LIVE:
            raise StateError(
                f"deployment {row.id} is {row.state}; its snapshot exists only while it is live"
            )
        owner = str(row.id)
        templates = []
        for snap in session.scalars(
            select(SnapshotTemplate)
            .where(SnapshotTemplate.deployment_id == row.id)
            .order_by(SnapshotTemplate.id)
        ):
            subject = Subject(**snap.subject)
            name = f"{subject.reference}/{snap.image_name}"
            templates.append(
                Template(
                    subject=subject,
                    embedding=open_vector(
                        services.cipher, snap.template_enc, SNAPSHOT_KIND, owner, name
                    ),
                    contract=EmbeddingContract(**snap.contract),
                    image_name=snap.image_name,
                    face_jpeg=open_image(
                        services.cipher, snap.face_jpeg_enc, SNAPSHOT_KIND, owner, name
                    ),
                )
            )
        if not templates:
            raise IntegrityError(f"deployment {row.id}: its watchlist snapshot is missing")
        watchlist = Watchlist.from_templates(templates[0].contract, templates)
        if watchlist.digest() != row.snapshot_digest:
            raise IntegrityError(
                f"deployment {row.id}: the snapshot does not match the digest recorded when it"
                " went live"
            )
        services.record(
            session,
            actor.username,
            "deployment.snapshot.load",
            _target(row.id),
            {"snapshot_digest": row.snapshot_digest, "snapshot_size": watchlist.size},
        )
        return watchlist


def end(services: Services, actor: Actor, deployment_id: int, reason: str = "") -> dict[str, Any]:
    """End a live deployment: wipe its snapshot and publish its record (returned)."""
    require(actor, Action.DEPLOYMENT_END)
    with services.transaction() as session:
        row = _load(session, deployment_id, lock=True)
        if row.state != S.LIVE:
            hint = " (cancel it instead)" if row.state in (S.DRAFT, S.AUTHORISED) else ""
            raise StateError(
                f"deployment {row.id} is {row.state}; only a live deployment can be ended{hint}"
            )
        return _end(
            session, services, actor.username, row, services.clock(), reason or "ended by staff"
        )


def cancel(services: Services, actor: Actor, deployment_id: int, reason: str = "") -> None:
    """Call off a deployment that has not gone live."""
    require(actor, Action.DEPLOYMENT_END)
    with services.transaction() as session:
        row = _load(session, deployment_id, lock=True)
        if row.state not in (S.DRAFT, S.AUTHORISED):
            raise StateError(
                f"deployment {row.id} is {row.state}; only a draft or authorised deployment can"
                " be cancelled"
            )
        row.state = S.CANCELLED.value
        row.ended_at = services.clock()
        row.end_reason = (reason or "cancelled")[:200]
        services.record(
            session, actor.username, "deployment.cancel", _target(row.id), {"reason": reason}
        )


def enforce_schedule(services: Services, now: datetime | None = None) -> list[str]:
    """Run by the scheduler (as SYSTEM): end deployments whose window is over, and refuse
    emergency starts not authorised in time (ending them and deleting their alerts and counts).
    Returns one line per action taken."""
    actor = SYSTEM
    require(actor, Action.DEPLOYMENT_END)
    done: list[str] = []
    with services.transaction() as session:
        now = now or services.clock()
        policy = policy_in_force(session)
        live = session.scalars(
            select(Deployment)
            .where(Deployment.state == S.LIVE.value)
            .order_by(Deployment.id)
            .with_for_update()
        ).all()
        for row in live:
            if now >= row.ends_at:
                _end(session, services, actor.username, row, now, WINDOW_ENDED)
                done.append(f"deployment {row.id} ended: {WINDOW_ENDED}")
        unauthorised = session.scalars(
            select(Deployment)
            .where(
                Deployment.emergency.is_(True),
                Deployment.authorised_by.is_(None),
                Deployment.state.in_([S.LIVE.value, S.ENDED.value]),
            )
            .order_by(Deployment.id)
            .with_for_update()
        ).all()
        for row in unauthorised:
            if row.end_reason != EMERGENCY_REFUSED and now > _emergency_deadline(row, policy):
                deleted = _refuse_emergency(session, services, actor.username, row, now, policy)
                done.append(
                    f"deployment {row.id} ended: emergency start not authorised within"
                    f" {policy.emergency_authorisation_hours} h; {deleted} alert(s) deleted"
                )
    return done


def get_deployment(services: Services, actor: Actor, deployment_id: int) -> DeploymentView:
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        return _view(_load(session, deployment_id), session, policy_in_force(session))


def list_deployments(
    services: Services, actor: Actor, state: str | None = None
) -> list[DeploymentView]:
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        query = select(Deployment).order_by(Deployment.id)
        if state is not None:
            query = query.where(Deployment.state == DeploymentState(state).value)
        policy = policy_in_force(session)
        return [_view(row, session, policy) for row in session.scalars(query)]


# --- internals ------------------------------------------------------------------------------


def _load(session: Session, deployment_id: int, lock: bool = False) -> Deployment:
    row = session.get(Deployment, deployment_id, with_for_update=lock or None)
    if row is None:
        raise NotFoundError(f"no deployment with id {deployment_id}")
    return row


def _target(deployment_id: int) -> str:
    return f"deployment:{deployment_id}"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _redacted(cameras: dict[str, Any]) -> dict[str, str]:
    return {name: redact_url(str(spec)) for name, spec in cameras.items()}


def _name(template: Template) -> str:
    return f"{template.subject.reference}/{template.image_name}"


def _few(references: list[str]) -> str:
    shown = ", ".join(references[:_FEW])
    more = len(references) - _FEW
    return f"{shown} and {more} more" if more > 0 else shown


def _plan_problems(
    policy: Policy, purpose: str, starts_at: datetime, ends_at: datetime, threshold: float
) -> list[str]:
    problems = []
    if purpose not in policy.purposes:
        problems.append(
            f"purpose {purpose!r} is not permitted (allowed: {'; '.join(policy.purposes)})"
        )
    hours = (ends_at - starts_at).total_seconds() / 3600
    if hours > policy.max_deployment_hours:
        problems.append(
            f"its window of {hours:.4g} h is longer than the policy's limit of"
            f" {policy.max_deployment_hours} h"
        )
    if threshold > policy.max_threshold:
        problems.append(
            f"threshold {threshold:g} is looser than the policy's limit {policy.max_threshold:g}"
        )
    return problems


def _is_active(watchlist_id: int, now: datetime) -> list[ColumnElement[bool]]:
    return [
        WatchlistEntry.watchlist_id == watchlist_id,
        WatchlistEntry.removed_at.is_(None),
        WatchlistEntry.expires_at > now,
    ]


def _watchlist_problems(
    session: Session, policy: Policy, watchlist_id: int, now: datetime
) -> list[str]:
    watchlist = session.get(WatchlistRow, watchlist_id)
    label = f"watchlist {watchlist.name!r}" if watchlist else f"watchlist {watchlist_id}"
    entries = list(
        session.scalars(
            select(WatchlistEntry).where(*_is_active(watchlist_id, now)).order_by(WatchlistEntry.id)
        )
    )
    if not entries:
        return [f"{label} is empty (no active entries)"]
    # Which entries have an enrolled face, and with which model: no ciphertext is loaded.
    contracts: dict[int, set[str]] = {}
    for entry_id, contract in session.execute(
        select(EntryImage.entry_id, EntryImage.contract)
        .join(WatchlistEntry, WatchlistEntry.id == EntryImage.entry_id)
        .where(*_is_active(watchlist_id, now))
    ):
        contracts.setdefault(entry_id, set()).add(json.dumps(contract, sort_keys=True))
    problems = []
    if len(entries) > policy.max_watchlist_size:
        problems.append(
            f"{label} has {len(entries)} active entries, over the policy's limit of"
            f" {policy.max_watchlist_size}"
        )
    checks: list[tuple[str, Callable[[WatchlistEntry], bool]]] = [
        ("a category the policy does not allow", lambda e: e.category not in policy.categories),
        ("no reason recorded", lambda e: not e.reason.strip()),
        ("no image source recorded", lambda e: not e.image_source.strip()),
        ("no enrolled face", lambda e: e.id not in contracts),
    ]
    for what, bad in checks:
        found = [e.reference for e in entries if bad(e)]
        if found:
            problems.append(
                f"{len(found)} entr{'y has' if len(found) == 1 else 'ies have'} {what}"
                f" ({_few(found)})"
            )
    if len(set().union(*contracts.values())) > 1:
        problems.append(f"{label} mixes templates made by different embedding models")
    return problems


def _emergency_deadline(row: Deployment, policy: Policy) -> datetime:
    started = row.started_at or row.created_at
    return started + timedelta(hours=policy.emergency_authorisation_hours)


def _end(
    session: Session,
    services: Services,
    actor_name: str,
    row: Deployment,
    now: datetime,
    reason: str,
) -> dict[str, Any]:
    row.state = S.ENDED.value
    row.ended_at = now
    row.end_reason = reason[:200]
    wiped = _wipe_snapshot(session, row, now)
    services.record(
        session,
        actor_name,
        "deployment.end",
        _target(row.id),
        {"reason": reason, "started_at": _iso_or_none(row.started_at), "ended_at": _iso(now)},
    )
    services.record(
        session,
        actor_name,
        "deployment.snapshot.wiped",
        _target(row.id),
        {"snapshot_digest": row.snapshot_digest, "rows_deleted": wiped},
    )
    body = publish_record(session, row, now)
    services.record(session, actor_name, "deployment.record.publish", _target(row.id), {})
    return body


def _wipe_snapshot(session: Session, row: Deployment, now: datetime) -> int:
    result = session.execute(
        delete(SnapshotTemplate).where(SnapshotTemplate.deployment_id == row.id)
    )
    row.snapshot_wiped_at = now
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def _refuse_emergency(
    session: Session,
    services: Services,
    actor_name: str,
    row: Deployment,
    now: datetime,
    policy: Policy,
) -> int:
    if row.state == S.LIVE:
        _end(session, services, actor_name, row, now, EMERGENCY_REFUSED)
    row.end_reason = EMERGENCY_REFUSED
    result = session.execute(delete(AlertRow).where(AlertRow.deployment_id == row.id))
    alerts = int(getattr(result, "rowcount", 0) or 0)
    counts = {"frames": row.frames, "faces_seen": row.faces_seen, "tracks": row.tracks}
    row.frames = row.faces_seen = row.tracks = 0
    session.flush()
    services.record(
        session,
        actor_name,
        "deployment.emergency.refused",
        _target(row.id),
        {
            "deadline": _iso(_emergency_deadline(row, policy)),
            "alerts_deleted": alerts,
            "counts_deleted": counts,
        },
    )
    publish_record(session, row, now)
    return alerts


def _iso_or_none(moment: datetime | None) -> str | None:
    return _iso(moment) if moment else None


def _view(row: Deployment, session: Session, policy: Policy) -> DeploymentView:
    watchlist = session.get(WatchlistRow, row.watchlist_id)
    pending_emergency = row.emergency and row.authorised_by is None
    return DeploymentView(
        id=row.id,
        name=row.name,
        purpose=row.purpose,
        location_name=row.location_name,
        latitude=row.latitude,
        longitude=row.longitude,
        area_description=row.area_description,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        cameras=_redacted(row.cameras),
        watchlist_id=row.watchlist_id,
        watchlist_name=watchlist.name if watchlist else "",
        threshold=row.threshold,
        dpia_reference=row.dpia_reference,
        state=row.state,
        planner=row.planner,
        created_at=row.created_at,
        authorised_by=row.authorised_by,
        authorised_at=row.authorised_at,
        authorisation_note=row.authorisation_note,
        signage_confirmed_by=row.signage_confirmed_by,
        signage_confirmed_at=row.signage_confirmed_at,
        signage_reference=row.signage_reference,
        emergency=row.emergency,
        emergency_authorise_by=_emergency_deadline(row, policy) if pending_emergency else None,
        started_at=row.started_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        snapshot_digest=row.snapshot_digest,
        snapshot_size=row.snapshot_size,
        snapshot_wiped_at=row.snapshot_wiped_at,
        frames=row.frames,
        face_detections=row.faces_seen,
        faces_seen=row.tracks,
    )
