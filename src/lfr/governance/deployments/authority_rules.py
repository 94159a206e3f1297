"""Independent authorisation's conditions (EU AI Act Art. 5(2) and 5(3); optional in the UK
by policy): what going live needs, the urgent start's clock, and the limits a grant sets.

Read by the lifecycle before going live, by the go-live checklist, by the snapshot (named
entries only) and by the runtime (authorised cameras only). The requests and decisions
themselves are made in ``lfr.governance.authority.requests``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from lfr.governance.deployments.plan import iso
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.law.profiles import (
    INDEPENDENT_AUTHORISATION,
    LIMITS_TIME_PLACE_PERSONS,
    URGENT_START,
    Profile,
    RuleRefusalError,
    profile_named,
)
from lfr.store.crypto import DataCipher
from lfr.store.deployment_keys import create_deployment_key
from lfr.store.tables import AuthorityRequest, Deployment

GRANTED = "granted"
REFUSED = "refused"
URGENT_HOURS = 24
"""Art. 5(3): authorisation of an urgent start is requested and obtained within 24 hours."""


@dataclass(frozen=True, slots=True)
class Grant:
    """The limits an authority's grant sets (None: as planned)."""

    starts_at: datetime
    ends_at: datetime
    cameras: frozenset[str] | None
    entries: frozenset[str] | None


def required(profile: Profile, policy: Policy) -> bool:
    return profile.applies(INDEPENDENT_AUTHORISATION) or policy.independent_authorisation_required


def urgent_deadline(request: AuthorityRequest, policy: Policy) -> datetime | None:
    """When an urgent start's authorisation must have been granted (None: no urgent start)."""
    if request.urgent_started_at is None:
        return None
    hours = (
        URGENT_HOURS
        if profile_named(policy.profile).applies(URGENT_START)
        else (policy.emergency_authorisation_hours)
    )
    return request.urgent_started_at + timedelta(hours=hours)


def grant_of(session: Session, row: Deployment) -> Grant | None:
    """The grant's limits, if an independent authority granted ``row``."""
    request = session.get(AuthorityRequest, row.id)
    if request is None or request.decision != GRANTED:
        return None
    return Grant(
        starts_at=request.window_starts_at or row.starts_at,
        ends_at=request.window_ends_at or row.ends_at,
        cameras=None if request.cameras is None else frozenset(request.cameras),
        entries=None if request.entries is None else frozenset(request.entries),
    )


def independent_refusal(
    session: Session, row: Deployment, now: datetime, emergency: bool = False
) -> RuleRefusalError | None:
    """Why ``row`` may not go live now for want of independent authorisation (None: it may)."""
    policy = policy_in_force(session)
    profile = profile_named(policy.profile)
    if not required(profile, policy):
        return None
    request = session.get(AuthorityRequest, row.id)
    if request is not None and request.decision == GRANTED:
        grant = grant_of(session, row)
        if grant is not None and not grant.starts_at <= now < grant.ends_at:
            return profile.refuse(
                LIMITS_TIME_PLACE_PERSONS,
                f"deployment {row.id} is authorised from {iso(grant.starts_at)} to"
                f" {iso(grant.ends_at)} only",
            )
        return None
    if request is not None and request.decision == REFUSED:
        return profile.refuse(
            INDEPENDENT_AUTHORISATION,
            f"deployment {row.id} was refused by the independent authority ({request.decided_by})",
        )
    if emergency:
        return _urgent_refusal(profile, policy, row, request)
    waiting = "its request awaits a decision" if request else "request it first"
    return profile.refuse(
        INDEPENDENT_AUTHORISATION,
        f"deployment {row.id} has no authorisation from an independent authority ({waiting})",
    )


def _urgent_refusal(
    profile: Profile, policy: Policy, row: Deployment, request: AuthorityRequest | None
) -> RuleRefusalError | None:
    if not (profile.applies(URGENT_START) or policy.emergency_start_allowed):
        return profile.refuse(
            URGENT_START, f"deployment {row.id}: this profile does not permit an urgent start"
        )
    if request is None:
        return profile.refuse(
            URGENT_START,
            f"deployment {row.id}: an urgent start needs the reasoned request to the"
            " independent authority made at start",
        )
    return None


def require_independent(
    session: Session, row: Deployment, now: datetime, emergency: bool = False
) -> None:
    refusal = independent_refusal(session, row, now, emergency)
    if refusal is not None:
        raise refusal


def cameras_outside_grant(session: Session, row: Deployment, names: Collection[str]) -> list[str]:
    """Of ``names``, those outside the grant's cameras (empty without a narrowed grant)."""
    grant = grant_of(session, row)
    if grant is None or grant.cameras is None:
        return []
    return sorted(name for name in names if name not in grant.cameras)


def begin_use(
    session: Session, master: DataCipher, row: Deployment, now: datetime, emergency: bool
) -> datetime | None:
    """At going live, where independent authorisation applies: give the deployment its own
    data key (so that a refusal can delete its use, copies included) and, for an urgent start
    before any decision, start the clock. Returns the urgent deadline (None: not urgent)."""
    policy = policy_in_force(session)
    if not required(profile_named(policy.profile), policy):
        return None
    create_deployment_key(session, master, row.id, now)
    request = session.get(AuthorityRequest, row.id)
    if not emergency or request is None or request.decision is not None:
        return None
    request.urgent_started_at = now
    return urgent_deadline(request, policy)


def independent_conditions(
    session: Session, policy: Policy, row: Deployment, now: datetime, emergency: bool
) -> list[tuple[str, str, list[str]]]:
    """The go-live checklist's line for independent authorisation, where it applies."""
    if not required(profile_named(policy.profile), policy):
        return []
    refusal = independent_refusal(session, row, now, emergency)
    problems = [] if refusal is None else [str(refusal)]
    return [("independent", "Granted by an independent authority (or an urgent start)", problems)]


def authorised_end(session: Session, row: Deployment) -> datetime:
    """When the run must close: the planned end, or a grant's earlier one."""
    grant = grant_of(session, row)
    return row.ends_at if grant is None else min(row.ends_at, grant.ends_at)
