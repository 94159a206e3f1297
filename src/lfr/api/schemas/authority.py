"""Independent authorisation (EU AI Act Art. 5(3)): the force's request and the authority's
decision. The authority's view holds entries by reference and category only: no names, no
faces, no alerts."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from lfr.api.schemas.base import Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.authority.requests import RequestView


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


AuthorityRequestPublic = schema_of(RequestView, name="AuthorityRequestPublic")
