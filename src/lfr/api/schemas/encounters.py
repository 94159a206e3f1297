from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from lfr.api.schemas.base import Request, RowId
from lfr.api.schemas.derive import schema_of
from lfr.governance.alerts.encounters import EncounterView

IdentityCheck = Literal[
    "none", "identity_document", "police_database", "officer_knowledge", "other"
]


class EncounterCreate(Request):
    """An encounter: for an alert (``alert_id``) or a stop no alert caused (``deployment_id``
    and ``reason``)."""

    alert_id: str | None = Field(None, max_length=36, description="the alert, if one caused it")
    deployment_id: RowId | None = Field(None, description="needed for a stop without an alert")
    stopped: bool = Field(description="was the person stopped?")
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = Field(None, description="needed for a stop")
    identity_check: IdentityCheck = Field(description="how identity was checked")
    identity_check_detail: str = Field(
        "", max_length=2000, description="the check written in (needed for 'other')"
    )
    outcome: Literal["no_action", "engaged", "arrested"]
    reason: str = Field(
        "",
        max_length=2000,
        description="why: a stop without an alert, or one longer than the profile's limit",
    )


EncounterPublic = schema_of(EncounterView, name="EncounterPublic", properties=("minutes",))
