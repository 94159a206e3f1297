"""Independent authorisation (EU AI Act Art. 5(3); optional in the UK): the force submits a
reasoned request for a deployment (Art. 5(2)(a) the harm if it were not used, (b) the
consequences for everyone's rights), and an authority outside the force
(``Role.INDEPENDENT_AUTHORITY``) grants or refuses it with reasons, a document reference and
the document's SHA-256, and may narrow a grant: a shorter window, fewer cameras, fewer named
entries. The authority sees the request, never an alert or a face.

A refusal of a deployment already started in urgency deletes its use
(``lfr.governance.authority.use_deletion``). Every refusal here writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, Role, require
from lfr.access.services import Services
from lfr.errors import NotFoundError, PolicyViolationError, StateError
from lfr.governance.authority.use_deletion import delete_use
from lfr.governance.deployments.authority_rules import GRANTED, REFUSED, required, urgent_deadline
from lfr.governance.deployments.plan import audit_target, iso, load_deployment
from lfr.governance.law.policy_service import policy_in_force, profile_in_force
from lfr.governance.law.profiles import INDEPENDENT_AUTHORISATION, REFUSAL_DELETES, profile_named
from lfr.governance.states import AUTHORITY_REFUSED, DELETED_REASONS, DeploymentState
from lfr.store.tables import AuthorityRequest, Deployment, WatchlistEntry

S = DeploymentState
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_REQUESTABLE = (S.DRAFT, S.AUTHORISED, S.LIVE)


@dataclass(frozen=True, slots=True)
class Decision:
    """An authority's decision; a grant may narrow (None: as planned)."""

    grant: bool
    reasons: str
    document_ref: str
    document_sha256: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    cameras: tuple[str, ...] | None = None
    entries: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class EntryByReference:
    """A watchlist entry as the authority sees it: never a name or a face."""

    reference: str
    category: str


@dataclass(frozen=True, slots=True)
class RequestView:
    """What the authority reads: the plan and its justification, entries by reference and
    category only (no names, no faces), and the decision once made."""

    deployment_id: int
    name: str
    purpose: str
    location_name: str
    area_description: str
    state: str
    starts_at: datetime
    ends_at: datetime
    cameras: tuple[str, ...]
    entries: tuple[EntryByReference, ...]
    justification_harm: str
    justification_rights: str
    requested_by: str
    requested_at: datetime
    urgent_deadline: datetime | None
    decision: str | None
    reasons: str | None
    document_ref: str | None
    document_sha256: str | None
    decided_by: str | None
    decided_at: datetime | None
    granted_window: tuple[datetime, datetime] | None
    granted_cameras: tuple[str, ...] | None
    granted_entries: tuple[str, ...] | None


def request_authority(
    services: Services, actor: Actor, deployment_id: int, harm: str, rights: str
) -> None:
    """Submit the force's reasoned request for ``deployment_id`` (once)."""
    require(actor, Action.DEPLOYMENT_REQUEST_AUTHORITY)
    harm, rights = harm.strip(), rights.strip()
    with services.transaction() as session:
        profile = profile_named(policy_in_force(session).profile)
        if not harm or not rights:
            raise profile.refuse(
                INDEPENDENT_AUTHORISATION,
                "a reasoned request gives both (a) the harm if the system were not used and"
                " (b) the consequences for the rights of everyone concerned (Art. 5(2))",
            )
        row = load_deployment(session, deployment_id, lock=True)
        if row.state not in _REQUESTABLE:
            raise StateError(f"deployment {row.id} is {row.state}; nothing left to authorise")
        if session.get(AuthorityRequest, row.id) is not None:
            raise StateError(f"deployment {row.id} has already been submitted to the authority")
        session.add(
            AuthorityRequest(
                deployment_id=row.id,
                justification_harm=harm,
                justification_rights=rights,
                requested_by=actor.username,
                requested_at=services.clock(),
            )
        )
        session.flush()
        services.record(
            session,
            actor.username,
            "deployment.authority.request",
            audit_target(row.id),
            {"justification_harm": harm, "justification_rights": rights, "state": row.state},
        )


def decide(services: Services, actor: Actor, deployment_id: int, decision: Decision) -> None:
    """Record the authority's decision; a refusal of an urgent start deletes its use."""
    require(actor, Action.DEPLOYMENT_INDEPENDENT_DECISION)
    with services.transaction() as session:
        row = load_deployment(session, deployment_id, lock=True)
        request = _pending_request(session, row)
        now = services.clock()
        _check_decision(session, row, decision)
        request.decision = GRANTED if decision.grant else REFUSED
        request.reasons = decision.reasons.strip()
        request.document_ref = decision.document_ref.strip()[:200]
        request.document_sha256 = decision.document_sha256
        request.decided_by = actor.username
        request.decided_at = now
        if decision.grant:
            request.window_starts_at = decision.starts_at
            request.window_ends_at = decision.ends_at
            request.cameras = list(decision.cameras) if decision.cameras is not None else None
            request.entries = list(decision.entries) if decision.entries is not None else None
        session.flush()
        services.record(
            session,
            actor.username,
            "deployment.authority.decide",
            audit_target(row.id),
            _decision_details(request),
        )
        if not decision.grant and request.urgent_started_at is not None:
            profile = profile_named(policy_in_force(session).profile)
            source = profile.refuse(REFUSAL_DELETES, "").rule.source
            delete_use(session, services, actor.username, row, now, AUTHORITY_REFUSED, source)


def list_requests(services: Services, actor: Actor) -> list[RequestView]:
    """Every request submitted to the authority, newest first."""
    require(actor, Action.DEPLOYMENT_INDEPENDENT_DECISION)
    with services.transaction() as session:
        requests = session.scalars(
            select(AuthorityRequest).order_by(AuthorityRequest.requested_at.desc())
        ).all()
        return [_view(session, request) for request in requests]


def authorisation_required(services: Services, actor: Actor) -> bool:
    """Whether deployments need the independent authority's grant under the policy in force
    (the deployment page offers the request form only then)."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        return required(profile_in_force(session), policy_in_force(session))


def get_request(services: Services, actor: Actor, deployment_id: int) -> RequestView | None:
    """The request for one deployment (None if not submitted): for the authority, or for
    the force's staff on the deployment page."""
    if actor.role is Role.INDEPENDENT_AUTHORITY:
        require(actor, Action.DEPLOYMENT_INDEPENDENT_DECISION)
    else:
        require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        load_deployment(session, deployment_id)
        request = session.get(AuthorityRequest, deployment_id)
        if request is None and actor.role is Role.INDEPENDENT_AUTHORITY:
            raise NotFoundError(f"deployment {deployment_id} was not submitted to the authority")
        return None if request is None else _view(session, request)


def _pending_request(session: Session, row: Deployment) -> AuthorityRequest:
    request = session.get(AuthorityRequest, row.id)
    if request is None:
        raise NotFoundError(f"deployment {row.id} was not submitted to the authority")
    if request.decision is not None:
        raise StateError(f"deployment {row.id} was already {request.decision}")
    if row.end_reason in DELETED_REASONS:
        raise StateError(f"deployment {row.id}'s use was deleted: {row.end_reason}")
    return request


def _check_decision(session: Session, row: Deployment, decision: Decision) -> None:
    """Refuse an incomplete decision, or a narrowing wider than the plan (nothing written)."""
    problems = []
    if not decision.reasons.strip():
        problems.append("reasons are required")
    if not decision.document_ref.strip():
        problems.append("a document reference is required")
    if not _SHA256.match(decision.document_sha256):
        problems.append("the document's SHA-256 must be 64 lowercase hex digits")
    if decision.grant:
        problems += _narrowing_problems(session, row, decision)
    if problems:
        raise PolicyViolationError(
            f"decision on deployment {row.id} refused: " + "; ".join(problems)
        )


def _narrowing_problems(session: Session, row: Deployment, decision: Decision) -> list[str]:
    problems = []
    starts = decision.starts_at or row.starts_at
    ends = decision.ends_at or row.ends_at
    if starts < row.starts_at or ends > row.ends_at or starts >= ends:
        problems.append(
            f"the granted window must lie within the planned one ({iso(row.starts_at)} to"
            f" {iso(row.ends_at)}) and end after it starts"
        )
    if decision.cameras is not None:
        unknown = sorted(set(decision.cameras) - set(row.cameras))
        if unknown or not decision.cameras:
            problems.append(f"granted cameras must be some of the planned ones (not {unknown})")
    if decision.entries is not None:
        known = set(
            session.scalars(
                select(WatchlistEntry.reference).where(
                    WatchlistEntry.watchlist_id == row.watchlist_id
                )
            )
        )
        unknown = sorted(set(decision.entries) - known)
        if unknown or not decision.entries:
            problems.append(f"granted entries must be some of the watchlist's (not {unknown})")
        if row.started_at is not None:  # the snapshot is frozen: narrow before it goes live
            problems.append("named entries can be narrowed only before the deployment starts")
    return problems


def _decision_details(request: AuthorityRequest) -> dict[str, object]:
    return {
        "decision": request.decision,
        "reasons": request.reasons,
        "document_ref": request.document_ref,
        "document_sha256": request.document_sha256,
        "window_starts_at": iso(request.window_starts_at) if request.window_starts_at else None,
        "window_ends_at": iso(request.window_ends_at) if request.window_ends_at else None,
        "cameras": request.cameras,
        "entries": request.entries,
    }


def _view(session: Session, request: AuthorityRequest) -> RequestView:
    row = load_deployment(session, request.deployment_id)
    entries = session.execute(
        select(WatchlistEntry.reference, WatchlistEntry.category)
        .where(WatchlistEntry.watchlist_id == row.watchlist_id, WatchlistEntry.removed_at.is_(None))
        .order_by(WatchlistEntry.reference)
    ).all()
    window = None
    if request.decision == GRANTED:
        window = (request.window_starts_at or row.starts_at, request.window_ends_at or row.ends_at)
    urgent = (
        urgent_deadline(request, policy_in_force(session)) if request.decision is None else None
    )
    return RequestView(
        deployment_id=row.id,
        name=row.name,
        purpose=row.purpose,
        location_name=row.location_name,
        area_description=row.area_description,
        state=row.state,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        cameras=tuple(sorted(row.cameras)),
        entries=tuple(EntryByReference(reference, category) for reference, category in entries),
        justification_harm=request.justification_harm,
        justification_rights=request.justification_rights,
        requested_by=request.requested_by,
        requested_at=request.requested_at,
        urgent_deadline=urgent,
        decision=request.decision,
        reasons=request.reasons,
        document_ref=request.document_ref,
        document_sha256=request.document_sha256,
        decided_by=request.decided_by,
        decided_at=request.decided_at,
        granted_window=window,
        granted_cameras=tuple(request.cameras) if request.cameras is not None else None,
        granted_entries=tuple(request.entries) if request.entries is not None else None,
    )
