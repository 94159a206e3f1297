"""A deployment's life: plan, authorise, confirm signage, go live on a frozen snapshot, end or
cancel (the states and their transitions: ``lfr.governance.states``).

Going live is refused, naming every missing condition at once
(``lfr.governance.deployments.go_live``).
Going live freezes a snapshot of the watchlist (``lfr.governance.deployments.snapshot``) that the
camera
workers search; ending the deployment wipes the snapshot and publishes its record.

An emergency start without authorisation is possible only where the policy allows it; unless it
is authorised within ``policy.emergency_authorisation_hours`` of the start, the schedule
(``lfr.governance.authority.schedule``) ends it and deletes every alert and count it produced.

Every change runs in one transaction with its audit entry; a refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lfr.access.roles import ASSIGNED_ONLY, Action, Actor, require
from lfr.access.services import Services
from lfr.errors import NotFoundError, PermissionDeniedError, PolicyViolationError, StateError
from lfr.governance.deployments.assignments import add_assignment
from lfr.governance.deployments.authority_rules import begin_use, require_independent
from lfr.governance.deployments.camera_sources import (
    camera_source_problems,
    media_folders,
    seal_cameras,
)
from lfr.governance.deployments.evaluations import require_threshold_reason
from lfr.governance.deployments.go_live import Condition, go_live_checklist, go_live_problems
from lfr.governance.deployments.jurisdiction_checks import pinned_documents
from lfr.governance.deployments.plan import (
    DeploymentPlan,
    DeploymentView,
    audit_target,
    deployment_view,
    emergency_deadline,
    iso,
    load_deployment,
    plan_problems,
    redacted,
)
from lfr.governance.deployments.snapshot import freeze_snapshot, wipe_snapshot
from lfr.governance.law.policy_service import policy_in_force, profile_in_force
from lfr.governance.records.published import PublishedRecord, publish_record
from lfr.governance.states import (
    AWAITING_REVIEW,
    EMERGENCY_REFUSED,
    DeploymentState,
    may_move,
    require_transition,
)
from lfr.store.tables import AlertRow, Deployment
from lfr.store.tables import Watchlist as WatchlistRow

S = DeploymentState


def plan_deployment(services: Services, actor: Actor, plan: DeploymentPlan) -> int:
    """Record a draft deployment; refused if it breaks the policy or names no watchlist."""
    require(actor, Action.DEPLOYMENT_PLAN)
    with services.transaction() as session:
        now = services.clock()
        policy = policy_in_force(session)
        problems = plan_problems(policy, plan.purpose, plan.starts_at, plan.ends_at, plan.threshold)
        problems += camera_source_problems(
            plan.cameras, policy.camera_sources, media_folders(services)
        )
        if plan.ends_at <= now:
            problems.append(f"the window has already ended ({iso(plan.ends_at)})")
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
            cameras={},  # sealed below, bound to the row's id
            watchlist_id=plan.watchlist_id,
            threshold=plan.threshold,
            dpia_reference=plan.dpia_reference,
            objective=plan.objective,
            expected_footfall=plan.expected_footfall,
            state=S.DRAFT.value,
            planner=actor.username,
            created_at=now,
        )
        session.add(row)
        session.flush()
        row.cameras = seal_cameras(services.cipher, row.id, plan.cameras)
        services.record(
            session,
            actor.username,
            "deployment.plan",
            audit_target(row.id),
            {
                "name": plan.name,
                "purpose": plan.purpose,
                "location": plan.location_name,
                "starts_at": iso(plan.starts_at),
                "ends_at": iso(plan.ends_at),
                "cameras": redacted(plan.cameras),
                "watchlist_id": plan.watchlist_id,
                "threshold": plan.threshold,
                "dpia_reference": plan.dpia_reference,
                "objective": plan.objective,
                "expected_footfall": plan.expected_footfall,
            },
        )
        if actor.role in ASSIGNED_ONLY:  # the officer who plans it needs to know its alerts
            add_assignment(
                session, services, actor.username, row.id, actor.username, actor.role, "planner"
            )
        return row.id


def authorise(
    services: Services,
    actor: Actor,
    deployment_id: int,
    note: str = "",
    threshold_reason: str = "",
) -> None:
    """Authorise a draft; or, within the policy's window, an emergency start already made.

    ``threshold_reason``: why a threshold looser than the evaluated fair operating point."""
    require(actor, Action.DEPLOYMENT_AUTHORISE)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
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
            deadline = emergency_deadline(row, policy)
            if row.end_reason == EMERGENCY_REFUSED or now > deadline:
                raise StateError(
                    f"deployment {row.id} started in an emergency; the time to authorise it"
                    f" ended at {iso(deadline)} and its alerts were or will be deleted"
                )
        elif not may_move(row.state, S.AUTHORISED):
            raise StateError(
                f"deployment {row.id} is {row.state}; only a draft (or an emergency start within"
                f" {policy.emergency_authorisation_hours} h) can be authorised"
            )
        problems = plan_problems(policy, row.purpose, row.starts_at, row.ends_at, row.threshold)
        if problems:
            raise PolicyViolationError(f"deployment {row.id}: " + "; ".join(problems))
        require_threshold_reason(session, profile_in_force(session), row, threshold_reason)
        if not retrospective:  # an emergency start stays live (or ended): only who changes
            _move(row, S.AUTHORISED)
        row.authorised_by = actor.username
        row.authorised_at = now
        row.authorisation_note = note
        row.threshold_reason = threshold_reason.strip() or None
        services.record(
            session,
            actor.username,
            "deployment.authorise",
            audit_target(row.id),
            {
                "note": note,
                "emergency_start": retrospective,
                "state": row.state,
                "threshold_reason": row.threshold_reason,
            },
        )


def confirm_signage(services: Services, actor: Actor, deployment_id: int, reference: str) -> None:
    """Record that the area is signposted: by whom, when, and a reference (photo, log entry)."""
    require(actor, Action.DEPLOYMENT_SIGNAGE)
    reference = reference.strip()
    if not reference:
        raise PolicyViolationError("signage confirmation needs a reference (photo, log entry)")
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
        if not may_move(row.state, S.LIVE):  # signage is confirmed while it can still go live
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
            audit_target(row.id),
            {"reference": row.signage_reference},
        )


def readiness(
    services: Services, actor: Actor, deployment_id: int, emergency: bool = False
) -> list[str]:
    """What still stands in the way of going live (for a checklist on screen)."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id)
        return go_live_problems(
            session,
            row,
            services.clock(),
            media=media_folders(services),
            emergency=emergency,
            edge_bus=services.edge_bus,
        )


def checklist(services: Services, actor: Actor, deployment_id: int) -> list[Condition]:
    """Every condition for going live, met or not (the deployment page's ticks and crosses)."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id)
        media, edge_bus = media_folders(services), services.edge_bus
        return go_live_checklist(session, row, services.clock(), media=media, edge_bus=edge_bus)


def unreviewed_alerts(services: Services, actor: Actor, deployment_id: int) -> int:
    """How many of its alerts still wait for an operator's review (End warns of them)."""
    require(actor, Action.DEPLOYMENT_READ)
    waiting = [status.value for status in AWAITING_REVIEW]
    with services.transaction() as session:
        count = session.scalar(
            select(func.count())
            .select_from(AlertRow)
            .where(AlertRow.deployment_id == deployment_id, AlertRow.status.in_(waiting))
        )
        return int(count or 0)


def start(services: Services, actor: Actor, deployment_id: int, emergency: bool = False) -> str:
    """Go live: freeze the watchlist snapshot and return its digest (also in the audit log).

    ``emergency``: start without authorisation, where the policy allows it."""
    require(actor, Action.DEPLOYMENT_START)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
        now = services.clock()
        if may_move(row.state, S.LIVE):  # EU AI Act Art. 5(3): refused naming its source
            require_independent(session, row, now, emergency)
        problems = go_live_problems(
            session,
            row,
            now,
            media=media_folders(services),
            emergency=emergency,
            edge_bus=services.edge_bus,
        )
        if problems:
            raise StateError(f"deployment {row.id} cannot go live: " + "; ".join(problems))
        urgent_deadline = begin_use(session, services.cipher, row, now, emergency)
        watchlist = freeze_snapshot(session, services, row, now)
        digest, size, subjects = watchlist.digest(), watchlist.size, len(watchlist.subjects)
        watchlist.wipe()  # kept only sealed in the database; the cameras open it again
        _move(row, S.LIVE)
        row.started_at = now
        row.emergency = row.authorised_by is None
        row.snapshot_digest = digest
        row.snapshot_size = size
        # Pinned at start, not at authorisation: what it actually ran on, checked current now.
        row.pinned_documents = pinned_documents(session, profile_in_force(session))
        session.flush()
        services.record(
            session,
            actor.username,
            "deployment.start",
            audit_target(row.id),
            {
                "snapshot_digest": digest,
                "snapshot_size": size,
                "subjects": subjects,
                "watchlist_id": row.watchlist_id,
                "threshold": row.threshold,
                "emergency": row.emergency,
                "authorised_by": row.authorised_by,
                "policy_digest": policy_in_force(session).digest(),
                "pinned_documents": row.pinned_documents,
            },
        )
        if urgent_deadline is not None:
            services.record(
                session,
                actor.username,
                "deployment.urgent_start",
                audit_target(row.id),
                {"authorisation_due_by": iso(urgent_deadline)},
            )
        return digest


def end(services: Services, actor: Actor, deployment_id: int, reason: str = "") -> PublishedRecord:
    """End a live deployment: wipe its snapshot and publish its record (returned)."""
    require(actor, Action.DEPLOYMENT_END)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
        if not may_move(row.state, S.ENDED):
            hint = " (cancel it instead)" if may_move(row.state, S.CANCELLED) else ""
            raise StateError(
                f"deployment {row.id} is {row.state}; only a live deployment can be ended{hint}"
            )
        return end_live(
            session, services, actor.username, row, services.clock(), reason or "ended by staff"
        )


def cancel(services: Services, actor: Actor, deployment_id: int, reason: str = "") -> None:
    """Call off a deployment that has not gone live."""
    require(actor, Action.DEPLOYMENT_END)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
        if not may_move(row.state, S.CANCELLED):
            raise StateError(
                f"deployment {row.id} is {row.state}; only a draft or authorised deployment can"
                " be cancelled"
            )
        _move(row, S.CANCELLED)
        row.ended_at = services.clock()
        row.end_reason = (reason or "cancelled")[:200]
        services.record(
            session, actor.username, "deployment.cancel", audit_target(row.id), {"reason": reason}
        )
        # Published too (cancelled, the reason, no counts): oversight and the public see why.
        publish_record(session, row, row.ended_at)
        services.record(
            session, actor.username, "deployment.record.publish", audit_target(row.id), {}
        )


def get_deployment(services: Services, actor: Actor, deployment_id: int) -> DeploymentView:
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id)
        return deployment_view(row, session, policy_in_force(session))


def list_deployments(
    services: Services, actor: Actor, state: str | None = None
) -> list[DeploymentView]:
    """Every deployment, oldest first; only those in ``state`` (a ``DeploymentState``) if given."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        query = select(Deployment).order_by(Deployment.id)
        if state is not None:
            query = query.where(Deployment.state == DeploymentState(state))
        policy = policy_in_force(session)
        return [deployment_view(row, session, policy) for row in session.scalars(query)]


def end_live(
    session: Session,
    services: Services,
    actor_name: str,
    row: Deployment,
    now: datetime,
    reason: str,
) -> PublishedRecord:
    """End a live deployment in the caller's transaction (staff, or the schedule): wipe its
    snapshot, publish its record, audit all three."""
    _move(row, S.ENDED)
    row.ended_at = now
    row.end_reason = reason[:200]
    wiped = wipe_snapshot(session, row, now)
    started = iso(row.started_at) if row.started_at else None
    services.record(
        session,
        actor_name,
        "deployment.end",
        audit_target(row.id),
        {"reason": reason, "started_at": started, "ended_at": iso(now)},
    )
    services.record(
        session,
        actor_name,
        "deployment.snapshot.wiped",
        audit_target(row.id),
        {
            "snapshot_digest": row.snapshot_digest,
            "rows_deleted": wiped.templates,
            "lookalike_negatives_deleted": wiped.lookalikes.negatives,
            "alert_descriptors_wiped": wiped.lookalikes.alert_descriptors,
        },
    )
    record = publish_record(session, row, now)
    services.record(session, actor_name, "deployment.record.publish", audit_target(row.id), {})
    return record


def _move(row: Deployment, target: DeploymentState) -> None:
    """The one place a deployment's state changes: only along ``TRANSITIONS``."""
    row.state = require_transition(row.state, target).value
