"""For everyone, no account: announced deployments and published records (counts only)."""

from __future__ import annotations

from fastapi import APIRouter

from lfr.api.deps import State
from lfr.api.schedule import announced_schedule
from lfr.api.schemas.derive import many
from lfr.api.schemas.records import RecordPublic, ScheduledPublic
from lfr.governance.records.published import PublishedRecord, public_records

router = APIRouter(prefix="/api/public", tags=["public"])


@router.get("/deployments", response_model=list[ScheduledPublic])
def schedule(state: State) -> list[ScheduledPublic]:
    """Authorised (planned) and live deployments: where, when and why, and for a live one how
    many of its cameras run now."""
    return [ScheduledPublic.model_validate(d) for d in announced_schedule(state)]


@router.get("/records", response_model=many(RecordPublic))
def records(state: State) -> list[PublishedRecord]:
    """Every published record, newest first: faces seen, alerts, true and false alerts,
    arrests, both false-alert rates."""
    return public_records(state.services)
