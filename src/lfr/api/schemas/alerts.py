from __future__ import annotations

from typing import Literal

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.api.schemas.derive import many, schema_of
from lfr.governance.alerts.adjudication import AlertView
from lfr.governance.alerts.history import HandledPage
from lfr.governance.states import AlertStatus

AlertPublic = schema_of(AlertView, name="AlertPublic", drop=("entry_id",), properties=("on_hold",))
"""An alert as the API shows it: ``AlertView`` without the watchlist entry's row id."""


HandledAlertsPublic = schema_of(
    HandledPage,
    name="HandledAlertsPublic",
    extra={"alerts": (many(AlertPublic), Field(description="this page, newest first"))},
)


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
