"""Independent authorisation (EU AI Act Art. 5(3)): the force's request and the authority's
decision. The authority's view holds entries by reference and category only: no names, no
faces, no alerts."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from lfr.api.schemas.base import Public, Request


class AuthorityRequestCreate(Request):
    justification_harm: str = Field(
        min_length=1,
        max_length=5000,
        description="Art. 5(2)(a): the situation, and the harm if the system were not used",
    )
    justification_rights: str = Field(
        min_length=1,
        max_length=5000,
        description="Art. 5(2)(b): the consequences for the rights and freedoms of all concerned",
    )


class AuthorityDecisionCreate(Request):
    grant: bool = Field(description="true: granted; false: refused")
    reasons: str = Field(min_length=1, max_length=5000)
    document_ref: str = Field(min_length=1, max_length=200)
    document_sha256: str = Field(pattern="^[0-9a-f]{64}$", description="the document's SHA-256")
    starts_at: AwareDatetime | None = Field(None, description="a later start (narrowing)")
    ends_at: AwareDatetime | None = Field(None, description="an earlier end (narrowing)")
    cameras: list[str] | None = Field(None, max_length=100, description="the cameras granted")
    entries: list[str] | None = Field(
        None, max_length=100_000, description="the entry references granted"
    )


class EntryByReference(Public):
    reference: str
    category: str


class AuthorityRequestPublic(Public):
    deployment_id: int
    name: str
    purpose: str
    location_name: str
    area_description: str
    state: str
    starts_at: datetime
    ends_at: datetime
    cameras: list[str]
    entries: list[EntryByReference]
    justification_harm: str
    justification_rights: str
    requested_by: str
    requested_at: datetime
    urgent_deadline: datetime | None
    decision: str | None
    reasons: str | None
    document_ref: str | None
    document_sha256: str | None
    decided_by: str | None
    decided_at: datetime | None
    granted_window: tuple[datetime, datetime] | None
    granted_cameras: list[str] | None
    granted_entries: list[str] | None
