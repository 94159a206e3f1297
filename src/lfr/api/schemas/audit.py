from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.api.schemas.derive import schema_of
from lfr.audit.service import AuditRecord

AuditEntryPublic = schema_of(AuditRecord, name="AuditEntryPublic")


class VerifyRequest(Request):
    known_head: str | None = Field(
        None,
        max_length=200,
        description="head hash of your last verification, optionally as <entry>:<hash>: must"
        " still be there (a mistyped head is answered 400, not reported as a break)",
    )


class VerifyPublic(Public):
    ok: bool
    entries: int
    first_bad_seq: int | None
    problem: str
    head_hash: str
