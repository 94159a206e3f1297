"""Independent authorisation: the force submits a deployment with its justification; the
independent authority lists what was submitted to it and grants or refuses, with reasons, a
document reference and its SHA-256, narrowing if it will. Refusals come back as 4xx naming
the rule's source."""

from __future__ import annotations

from fastapi import APIRouter, status

from lfr.api.deps import CurrentActor, State
from lfr.api.schemas.authority import (
    AuthorityDecisionCreate,
    AuthorityRequestCreate,
    AuthorityRequestPublic,
)
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.errors import NotFoundError
from lfr.governance.authority import requests as authority
from lfr.governance.authority.requests import RequestView

router = APIRouter(tags=["independent authorisation"])


@router.get("/api/authority/requests", response_model=many(AuthorityRequestPublic))
def list_requests(actor: CurrentActor, state: State) -> list[RequestView]:
    """Every request submitted to the independent authority (the authority only)."""
    return authority.list_requests(state.services, actor)


@router.get("/api/deployments/{deployment_id}/authority", response_model=AuthorityRequestPublic)
def get_request(deployment_id: RowId, actor: CurrentActor, state: State) -> RequestView:
    """One deployment's request and decision (the authority, or the force's staff)."""
    view = authority.get_request(state.services, actor, deployment_id)
    if view is None:
        raise NotFoundError(f"deployment {deployment_id} was not submitted to the authority")
    return view


@router.post(
    "/api/deployments/{deployment_id}/authority",
    response_model=AuthorityRequestPublic,
    status_code=status.HTTP_201_CREATED,
)
def request_authority(
    deployment_id: RowId, body: AuthorityRequestCreate, actor: CurrentActor, state: State
) -> RequestView:
    """Submit the deployment to the independent authority (operators, authorising officers)."""
    authority.request_authority(
        state.services, actor, deployment_id, body.justification_harm, body.justification_rights
    )
    return get_request(deployment_id, actor, state)


@router.post(
    "/api/deployments/{deployment_id}/authority/decision", response_model=AuthorityRequestPublic
)
def decide(
    deployment_id: RowId, body: AuthorityDecisionCreate, actor: CurrentActor, state: State
) -> RequestView:
    """Grant or refuse (the independent authority); a refusal of an urgent start deletes it."""
    decision = authority.Decision(
        **body.model_dump(exclude={"cameras", "entries"}),
        cameras=tuple(body.cameras) if body.cameras is not None else None,
        entries=tuple(body.entries) if body.entries is not None else None,
    )
    authority.decide(state.services, actor, deployment_id, decision)
    return get_request(deployment_id, actor, state)
