from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.governance.states import AlertStatus


class AlertPublic(Public):
    id: str = Field(description="the engine's stable alert id")
    deployment_id: int
    camera: str
    subject_reference: str
    subject_name: str
    category: str
    reason: str
    distance: float
    score: float
    threshold: float
    time_s: float
    frame: int
    track: int
    raised_at: datetime
    enrolled_image: str
    status: AlertStatus
    adjudicated_by: str | None
    adjudicated_at: datetime | None
    second_confirmer: str | None
    outcome: str | None
    outcome_by: str | None
    outcome_at: datetime | None
    hold_reason: str | None
    hold_by: str | None
    media_purged_at: datetime | None
    has_media: bool
    on_hold: bool
    location_name: str = Field(description="where the deployment runs")
    area_description: str
    deployment_ended: bool = Field(description="its deployment has ended: nobody is on site")
    blind_review: bool = Field(
        False,
        description="a blind second verdict is awaited: the first verdict is hidden from the"
        " second verifier, who says whether it is the same person",
    )


class HandledAlertsPublic(Public):
    """A page of the alerts the caller handled, newest first."""

    alerts: list[AlertPublic]
    total: int = Field(description="how many alerts the caller handled in all")
    limit: int
    offset: int


class AlertMediaPublic(Public):
    alert_id: str
    probe: str = Field(description="the probe face crop, a data: URL (JPEG)")
    enrolled: str = Field(description="the watchlist image it matched, a data: URL (JPEG)")


class AdjudicationRequest(Request):
    decision: Literal[AlertStatus.CONFIRMED, AlertStatus.FALSE_ALERT]
    note: str = Field("", max_length=2000)


class SecondConfirmationRequest(Request):
    agree: bool
    note: str = Field("", max_length=2000)


class OutcomeRequest(Request):
    outcome: Literal["engaged", "arrested", "no_action"]
    corroboration: str = Field(
        "", max_length=2000, description="what corroborated an arrest (needed for one)"
    )


class HoldRequest(Request):
    reason: str = Field(min_length=1, max_length=2000)


class ReleaseRequest(Request):
    note: str = Field("", max_length=2000)
