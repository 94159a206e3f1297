"""Who may do what. Every service call names its ``Action``; ``require`` enforces it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lfr.errors import PermissionDeniedError


class Role(StrEnum):
    ADMIN = "admin"
    WATCHLIST_MANAGER = "watchlist_manager"
    AUTHORISING_OFFICER = "authorising_officer"
    OPERATOR = "operator"
    FIELD_OFFICER = "field_officer"
    OVERSIGHT = "oversight"
    INDEPENDENT_AUTHORITY = "independent_authority"
    """Outside the force (a judge, an independent administrative authority; EU AI Act Art.
    5(3)): reads only the requests submitted to it and decides them; never alerts or faces."""
    SYSTEM = "system"
    """The scheduler itself (automatic stop at the end of a window, scheduled purge)."""


class Action(StrEnum):
    USER_MANAGE = "user.manage"
    POLICY_SET = "policy.set"
    POLICY_READ = "policy.read"
    WATCHLIST_MANAGE = "watchlist.manage"
    WATCHLIST_READ = "watchlist.read"
    WATCHLIST_FACE_VIEW = "watchlist.face.view"
    DEPLOYMENT_PLAN = "deployment.plan"
    DEPLOYMENT_AUTHORISE = "deployment.authorise"
    DEPLOYMENT_SIGNAGE = "deployment.confirm_signage"
    DEPLOYMENT_START = "deployment.start"
    DEPLOYMENT_END = "deployment.end"
    DEPLOYMENT_RUN = "deployment.run"
    DEPLOYMENT_READ = "deployment.read"
    DEPLOYMENT_ASSIGN = "deployment.assign"
    DEPLOYMENT_REQUEST_AUTHORITY = "deployment.request_authority"
    DEPLOYMENT_INDEPENDENT_DECISION = "deployment.independent_decision"
    ALERT_READ = "alert.read"
    ALERT_ADJUDICATE = "alert.adjudicate"
    ALERT_OUTCOME = "alert.outcome"
    ALERT_HOLD = "alert.hold"
    RETENTION_PURGE = "retention.purge"
    AUDIT_READ = "audit.read"
    RECORD_READ = "record.read"
    DOCUMENT_MANAGE = "document.manage"
    DOCUMENT_READ = "document.read"
    ENTRY_CHILD_APPROVE = "watchlist.child.approve"
    EVALUATION_IMPORT = "evaluation.import"


R = Role
_STAFF = frozenset(
    {R.ADMIN, R.WATCHLIST_MANAGER, R.AUTHORISING_OFFICER, R.OPERATOR, R.FIELD_OFFICER, R.OVERSIGHT}
)

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.USER_MANAGE: frozenset({R.ADMIN}),
    Action.POLICY_SET: frozenset({R.ADMIN}),
    Action.POLICY_READ: _STAFF,
    Action.WATCHLIST_MANAGE: frozenset({R.WATCHLIST_MANAGER}),
    Action.WATCHLIST_READ: frozenset({R.WATCHLIST_MANAGER, R.AUTHORISING_OFFICER, R.OVERSIGHT}),
    # Checking who was enrolled: the list's managers and the officers who authorise its use.
    Action.WATCHLIST_FACE_VIEW: frozenset({R.WATCHLIST_MANAGER, R.AUTHORISING_OFFICER}),
    Action.DEPLOYMENT_PLAN: frozenset({R.OPERATOR, R.AUTHORISING_OFFICER}),
    Action.DEPLOYMENT_AUTHORISE: frozenset({R.AUTHORISING_OFFICER}),
    Action.DEPLOYMENT_SIGNAGE: frozenset({R.OPERATOR, R.AUTHORISING_OFFICER}),
    Action.DEPLOYMENT_START: frozenset({R.OPERATOR, R.AUTHORISING_OFFICER}),
    Action.DEPLOYMENT_END: frozenset({R.OPERATOR, R.AUTHORISING_OFFICER, R.SYSTEM}),
    # The system resumes, after a restart, the cameras an operator had started.
    Action.DEPLOYMENT_RUN: frozenset({R.OPERATOR, R.SYSTEM}),
    Action.DEPLOYMENT_READ: _STAFF,
    Action.DEPLOYMENT_ASSIGN: frozenset({R.AUTHORISING_OFFICER, R.ADMIN}),
    Action.DEPLOYMENT_REQUEST_AUTHORITY: frozenset({R.OPERATOR, R.AUTHORISING_OFFICER}),
    # Reading the requests submitted and deciding them: the authority alone, never the force.
    Action.DEPLOYMENT_INDEPENDENT_DECISION: frozenset({R.INDEPENDENT_AUTHORITY}),
    Action.ALERT_READ: frozenset({R.OPERATOR, R.FIELD_OFFICER, R.AUTHORISING_OFFICER, R.OVERSIGHT}),
    Action.ALERT_ADJUDICATE: frozenset({R.OPERATOR}),
    Action.ALERT_OUTCOME: frozenset({R.FIELD_OFFICER}),
    Action.ALERT_HOLD: frozenset({R.AUTHORISING_OFFICER}),
    Action.RETENTION_PURGE: frozenset({R.ADMIN, R.SYSTEM}),
    Action.AUDIT_READ: frozenset({R.OVERSIGHT, R.ADMIN}),
    Action.RECORD_READ: _STAFF | {R.SYSTEM},
    # Issue 11: the force's document registry, under-18 approvals and the evaluation in use.
    Action.DOCUMENT_MANAGE: frozenset({R.ADMIN, R.AUTHORISING_OFFICER}),
    Action.DOCUMENT_READ: frozenset({R.ADMIN, R.AUTHORISING_OFFICER, R.OVERSIGHT}),
    Action.ENTRY_CHILD_APPROVE: frozenset({R.AUTHORISING_OFFICER}),
    Action.EVALUATION_IMPORT: frozenset({R.ADMIN}),
}

ASSIGNED_ONLY: frozenset[Role] = frozenset({R.OPERATOR, R.FIELD_OFFICER})
"""Need to know: these roles read a deployment's alerts (crops and live stream included) only
while assigned to it (``lfr.governance.deployments.assignments``); supervisors (authorising
officers) and
oversight read every deployment's."""


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role


SYSTEM = Actor("system", Role.SYSTEM)


def require(actor: Actor, action: Action) -> None:
    if actor.role not in PERMISSIONS[action]:
        raise PermissionDeniedError(f"{actor.username} ({actor.role.value}) may not {action.value}")
