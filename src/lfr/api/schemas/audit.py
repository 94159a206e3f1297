from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from lfr.api.schemas.base import Public, Request


class AuditEntryPublic(Public):
    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    signature: str


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
