"""Camera health of running deployments: frames per second, dropped frames, last frame time,
reconnects - as published on the bus by the camera workers. No picture of anyone, ever."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lfr.api.camera_states import camera_states
from lfr.api.deps import DeploymentReader, State
from lfr.api.schemas.base import RowId
from lfr.api.schemas.cameras import CameraHealthPublic

router = APIRouter(prefix="/api/cameras", tags=["cameras"])


@router.get("", response_model=list[CameraHealthPublic])
def camera_health(
    actor: DeploymentReader,
    state: State,
    deployment_id: Annotated[RowId | None, Query()] = None,
) -> list[CameraHealthPublic]:
    return [CameraHealthPublic.model_validate(h) for h in camera_states(state, deployment_id)]
