"""Need to know: which officers read a deployment's alerts.

Operators and field officers (``ASSIGNED_ONLY``) read a deployment's alerts, their decrypted
crops and its live alert stream only while assigned to it; supervisors (authorising officers)
and oversight read every deployment's. A supervisor or an admin assigns and unassigns
(``deployment.assign``); the operator who plans a deployment is assigned by planning it. Every
change is audited (``deployment.assign``, ``deployment.unassign``) in its own transaction, and
a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lfr.access.roles import ASSIGNED_ONLY, Action, Actor, Role, require
from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError, PermissionDeniedError, StateError
from lfr.governance.deployments.plan import audit_target, load_deployment
from lfr.store.tables import DeploymentAssignment, User


@dataclass(frozen=True, slots=True)
class AssignmentView:
    deployment_id: int
    username: str
    role: Role
    assigned_by: str
    assigned_at: datetime


# --- who may read what --------------------------------------------------------------------------


def sees_every_deployment(actor: Actor) -> bool:
    return actor.role not in ASSIGNED_ONLY


def is_assigned(session: Session, actor: Actor, deployment_id: int) -> bool:
    """True when ``actor`` may read this deployment's alerts (assigned, or a role that sees all)."""
    if sees_every_deployment(actor):
        return True
    return _find(session, deployment_id, actor.username) is not None


def assigned_deployments(actor: Actor) -> Select[int]:
    """The ids of the deployments ``actor`` is assigned to, as a subquery for a filter."""
    return select(DeploymentAssignment.deployment_id).where(
        DeploymentAssignment.username == actor.username
    )


def require_assigned(session: Session, actor: Actor, deployment_id: int) -> None:
    """PermissionDeniedError unless ``actor`` may read this deployment's alerts."""
    if not is_assigned(session, actor, deployment_id):
        raise PermissionDeniedError(
            f"{actor.username} is not assigned to deployment {deployment_id}: its alerts are"
            " for its assigned officers (a supervisor assigns them)"
        )


def check_assigned(services: Services, actor: Actor, deployment_id: int) -> None:
    """``require_assigned`` in a transaction of its own (before a stream starts)."""
    require(actor, Action.ALERT_READ)
    with services.transaction() as session:
        require_assigned(session, actor, deployment_id)


# --- assigning ----------------------------------------------------------------------------------


def assign(services: Services, actor: Actor, deployment_id: int, username: str) -> AssignmentView:
    """Assign an operator or field officer to a deployment (supervisors and admins)."""
    require(actor, Action.DEPLOYMENT_ASSIGN)
    with services.transaction() as session:
        load_deployment(session, deployment_id, lock=True)
        role = _officer_role(session, username)
        if _find(session, deployment_id, username) is not None:
            raise StateError(f"{username} is already assigned to deployment {deployment_id}")
        row = add_assignment(session, services, actor.username, deployment_id, username, role)
        return _view(row, role)


def add_assignment(
    session: Session,
    services: Services,
    by: str,
    deployment_id: int,
    username: str,
    role: Role,
    why: str = "",
) -> DeploymentAssignment:
    """Insert and audit an assignment in the caller's transaction (planning uses it too)."""
    row = DeploymentAssignment(
        deployment_id=deployment_id,
        username=username,
        assigned_by=by,
        assigned_at=services.clock(),
    )
    session.add(row)
    session.flush()
    details: dict[str, object] = {"user": username, "role": role.value}
    if why:
        details["why"] = why
    services.record(session, by, "deployment.assign", audit_target(deployment_id), details)
    return row


def unassign(services: Services, actor: Actor, deployment_id: int, username: str) -> None:
    """End an officer's assignment: from now on they no longer read this deployment's alerts."""
    require(actor, Action.DEPLOYMENT_ASSIGN)
    with services.transaction() as session:
        load_deployment(session, deployment_id, lock=True)
        row = _find(session, deployment_id, username[:64])
        if row is None:
            raise NotFoundError(f"{username[:64]!r} is not assigned to deployment {deployment_id}")
        session.delete(row)
        services.record(
            session,
            actor.username,
            "deployment.unassign",
            audit_target(deployment_id),
            {"user": row.username},
        )


def list_assignments(services: Services, actor: Actor, deployment_id: int) -> list[AssignmentView]:
    """Who is assigned to a deployment, by name (any staff role may see who is)."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        load_deployment(session, deployment_id)
        rows = session.execute(
            select(DeploymentAssignment, User.role)
            .join(User, User.username == DeploymentAssignment.username)
            .where(DeploymentAssignment.deployment_id == deployment_id)
            .order_by(DeploymentAssignment.username)
        ).all()
        return [_view(row, Role(role)) for row, role in rows]


def _find(session: Session, deployment_id: int, username: str) -> DeploymentAssignment | None:
    return session.scalars(
        select(DeploymentAssignment).where(
            DeploymentAssignment.deployment_id == deployment_id,
            DeploymentAssignment.username == username,
        )
    ).first()


def _officer_role(session: Session, username: str) -> Role:
    """The role of an active operator or field officer; refused for anyone else."""
    user = session.scalars(select(User).where(User.username == username[:64])).first()
    if user is None:
        raise NotFoundError(f"no user {username[:64]!r}")
    role = Role(user.role)
    if not user.active:
        raise StateError(f"user {username} is disabled")
    if role not in ASSIGNED_ONLY:
        raise LfrError(
            f"{username} is {role.value}: only operators and field officers are assigned"
            " (supervisors and oversight read every deployment)"
        )
    return role


def _view(row: DeploymentAssignment, role: Role) -> AssignmentView:
    return AssignmentView(
        deployment_id=row.deployment_id,
        username=row.username,
        role=role,
        assigned_by=row.assigned_by,
        assigned_at=row.assigned_at,
    )
