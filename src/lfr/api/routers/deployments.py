"""A deployment's life: plan, authorise (never one's own), confirm signage, start, run the
cameras, end or cancel. Each refusal comes back with the service's own message, naming every
condition that is missing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from lfr.access.roles import PERMISSIONS, Action, Actor, require
from lfr.api.deps import CurrentActor, DeploymentReader, State
from lfr.api.schemas.base import Public, RowId
from lfr.api.schemas.cameras import RunPublic
from lfr.api.schemas.deployments import (
    AuthoriseRequest,
    DeploymentCreate,
    DeploymentPublic,
    EndRequest,
    ReadinessPublic,
    SignageRequest,
    StartPublic,
    StartRequest,
)
from lfr.api.schemas.derive import many
from lfr.api.state import AppState
from lfr.errors import ModelNotInstalledError, PolicyViolationError
from lfr.events import topics
from lfr.governance.deployments import lifecycle
from lfr.governance.deployments.plan import DeploymentView
from lfr.governance.states import DeploymentState

router = APIRouter(prefix="/api/deployments", tags=["deployments"])


def _public(state: AppState, actor: Actor, deployment_id: int) -> DeploymentView:
    return lifecycle.get_deployment(state.services, actor, deployment_id)


def _changed(state: AppState, actor: Actor, deployment_id: int, reason: str = "") -> DeploymentView:
    public = _public(state, actor, deployment_id)
    topics.publish_deployment(state.bus, deployment_id, public.state, actor.username, reason)
    return public


@router.get("", response_model=many(DeploymentPublic))
def list_deployments(
    actor: DeploymentReader,
    state: State,
    state_filter: Annotated[DeploymentState | None, Query(alias="state")] = None,
) -> list[DeploymentView]:
    return lifecycle.list_deployments(state.services, actor, state_filter)


@router.post("", response_model=DeploymentPublic, status_code=status.HTTP_201_CREATED)
def plan(body: DeploymentCreate, actor: CurrentActor, state: State) -> DeploymentView:
    """Plan a draft (operators and authorising officers); refused if it breaks the policy."""
    deployment_id = lifecycle.plan_deployment(state.services, actor, body)
    return _changed(state, actor, deployment_id, "planned")


@router.get("/{deployment_id}", response_model=DeploymentPublic)
def get(deployment_id: RowId, actor: DeploymentReader, state: State) -> DeploymentView:
    return _public(state, actor, deployment_id)


@router.get("/{deployment_id}/readiness", response_model=ReadinessPublic)
def readiness(
    deployment_id: RowId, actor: DeploymentReader, state: State, emergency: bool = False
) -> ReadinessPublic:
    """Every condition still missing before it may go live (empty when it may)."""
    problems = lifecycle.readiness(state.services, actor, deployment_id, emergency)
    return ReadinessPublic(deployment_id=deployment_id, ready=not problems, problems=problems)


@router.post("/{deployment_id}/authorise", response_model=DeploymentPublic)
def authorise(
    deployment_id: RowId, body: AuthoriseRequest, actor: CurrentActor, state: State
) -> DeploymentView:
    """Authorise a draft (authorising officers; never a deployment one planned)."""
    lifecycle.authorise(
        state.services, actor, deployment_id, body.note, threshold_reason=body.threshold_reason
    )
    return _changed(state, actor, deployment_id, "authorised")


@router.post("/{deployment_id}/signage", response_model=DeploymentPublic)
def confirm_signage(
    deployment_id: RowId, body: SignageRequest, actor: CurrentActor, state: State
) -> DeploymentView:
    lifecycle.confirm_signage(state.services, actor, deployment_id, body.reference)
    return _changed(state, actor, deployment_id, "signage confirmed")


@router.post("/{deployment_id}/start", response_model=StartPublic)
def start(deployment_id: RowId, body: StartRequest, actor: CurrentActor, state: State) -> Public:
    """Go live on a frozen watchlist snapshot. An operator's start also runs the cameras; after
    an authorising officer's start, an operator runs them (``/run``)."""
    digest = lifecycle.start(state.services, actor, deployment_id, body.emergency)
    started = False
    if state.cameras is not None and actor.role in PERMISSIONS[Action.DEPLOYMENT_RUN]:
        state.cameras.run(actor, deployment_id)
        started = True
        message = "live; cameras starting"
    elif state.cameras is None:
        message = "live; no camera host in this server (run the cameras with 'lfr deployment run')"
    else:
        message = "live; an operator must now run the cameras"
    return StartPublic(
        deployment=_changed(state, actor, deployment_id, "started"),
        snapshot_digest=digest,
        cameras_started=started,
        message=message,
    )


@router.post("/{deployment_id}/run", response_model=RunPublic)
def run(deployment_id: RowId, actor: CurrentActor, state: State) -> RunPublic:
    """Start the cameras of a live deployment (operators); they stop by themselves when it ends."""
    if state.cameras is None:
        raise ModelNotInstalledError("this server runs no cameras")
    state.cameras.run(actor, deployment_id)
    return RunPublic(deployment_id=deployment_id, running=True, message="cameras starting")


@router.post("/{deployment_id}/end", response_model=DeploymentPublic)
def end(
    deployment_id: RowId, body: EndRequest, actor: CurrentActor, state: State
) -> DeploymentView:
    """End a live deployment: its cameras stop, its snapshot is wiped, its record published.
    A reason is required (it is audited and shown with the record)."""
    reason = _reason(actor, body, "ending")
    if state.cameras is not None:
        # Their last counts are stored first, so the record published at End is complete.
        state.cameras.stop(deployment_id)
    lifecycle.end(state.services, actor, deployment_id, reason)
    return _changed(state, actor, deployment_id, body.reason)


@router.post("/{deployment_id}/cancel", response_model=DeploymentPublic)
def cancel(
    deployment_id: RowId, body: EndRequest, actor: CurrentActor, state: State
) -> DeploymentView:
    """Call off a deployment that has not gone live; a reason is required."""
    lifecycle.cancel(state.services, actor, deployment_id, _reason(actor, body, "cancelling"))
    return _changed(state, actor, deployment_id, body.reason)


def _reason(actor: Actor, body: EndRequest, doing: str) -> str:
    """Ending and cancelling cannot be undone: staff must say why (who may not, hears that)."""
    require(actor, Action.DEPLOYMENT_END)
    if not body.reason.strip():
        raise PolicyViolationError(
            f"give a reason for {doing} the deployment: it cannot be undone, and the reason is"
            " kept in the audit log"
        )
    return body.reason.strip()
