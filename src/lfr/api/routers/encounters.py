"""Encounters: field officers record, for every alert and for stops no alert caused, whether
the person was stopped, for how long, how identity was checked and the outcome. Refusals by
the profile in force (an arrest without corroboration, a long stop without a reason) come back
as 4xx with the rule's source."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from lfr.api.deps import AlertReader, CurrentActor, State
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.api.schemas.encounters import EncounterCreate, EncounterPublic
from lfr.governance.alerts import encounters
from lfr.governance.alerts.encounters import EncounterView

router = APIRouter(prefix="/api/encounters", tags=["encounters"])


@router.post("", response_model=EncounterPublic, status_code=status.HTTP_201_CREATED)
def record_encounter(body: EncounterCreate, actor: CurrentActor, state: State) -> EncounterView:
    """Record an encounter (field officers assigned to the deployment)."""
    form = encounters.EncounterForm(**body.model_dump())
    view = encounters.record_encounter(state.services, actor, form)
    return view


@router.get("", response_model=many(EncounterPublic))
def list_encounters(
    deployment_id: Annotated[RowId, Query()], actor: AlertReader, state: State
) -> list[EncounterView]:
    """A deployment's encounters, in the order they began."""
    views = encounters.list_encounters(state.services, actor, deployment_id)
    return list(views)
