"""Need to know: which operators and field officers read a deployment's alerts. Supervisors
(authorising officers) and admins assign and unassign; every staff role may see who is
assigned. Each change is audited by the service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from lfr.api.deps import CurrentActor, DeploymentReader, State
from lfr.api.schemas.assignments import AssignmentCreate, AssignmentPublic
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.governance.deployments import assignments
from lfr.governance.deployments.assignments import AssignmentView

router = APIRouter(prefix="/api/deployments", tags=["deployments"])

Username = Annotated[str, Path(max_length=64, description="the assigned officer")]


@router.get("/{deployment_id}/assignments", response_model=many(AssignmentPublic))
def list_assignments(
    deployment_id: RowId, actor: DeploymentReader, state: State
) -> list[AssignmentView]:
    """The officers assigned to this deployment, by name."""
    views = assignments.list_assignments(state.services, actor, deployment_id)
    return list(views)


@router.post(
    "/{deployment_id}/assignments",
    response_model=AssignmentPublic,
    status_code=status.HTTP_201_CREATED,
)
def assign(
    deployment_id: RowId, body: AssignmentCreate, actor: CurrentActor, state: State
) -> AssignmentView:
    """Assign an operator or field officer: from now on they read this deployment's alerts."""
    view = assignments.assign(state.services, actor, deployment_id, body.username)
    return view


@router.delete("/{deployment_id}/assignments/{username}", status_code=status.HTTP_204_NO_CONTENT)
def unassign(
    deployment_id: RowId, username: Username, actor: CurrentActor, state: State
) -> Response:
    """End an assignment: the officer no longer reads this deployment's alerts."""
    assignments.unassign(state.services, actor, deployment_id, username)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
