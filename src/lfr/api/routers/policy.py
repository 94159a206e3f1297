"""The policy in force (every member of staff may read it; admins set a new version)."""

from __future__ import annotations

from fastapi import APIRouter

from lfr.api.deps import CurrentActor, State
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import current_policy, set_policy

router = APIRouter(prefix="/api/policy", tags=["policy"])


@router.get("", response_model=Policy)
def read_policy(actor: CurrentActor, state: State) -> Policy:
    return current_policy(state.services, actor)


@router.put("", response_model=Policy)
def put_policy(body: Policy, actor: CurrentActor, state: State) -> Policy:
    """Put a new version in force (admins); the change is audited with both digests."""
    set_policy(state.services, actor, body)
    return current_policy(state.services, actor)
