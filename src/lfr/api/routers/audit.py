"""The audit log for oversight and admins: search, export (audited), verify the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from lfr.api.deps import AuditReader, State
from lfr.api.schemas.audit import AuditEntryPublic, VerifyPublic, VerifyRequest
from lfr.api.schemas.derive import many
from lfr.audit.heads import heads_path, read_heads
from lfr.audit.service import AuditRecord, export_audit, read_audit, verify_chain
from lfr.errors import LfrError
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=many(AuditEntryPublic))
def search(
    actor: AuditReader,
    state: State,
    action: Annotated[
        str | None, Query(max_length=64, description="an action, or a prefix ending in '.'")
    ] = None,
    actor_name: Annotated[str | None, Query(alias="actor", max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="ISO time with a zone")] = None,
    text: Annotated[
        str | None, Query(max_length=200, description="words in target/details")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[AuditRecord]:
    """Matching entries in chain order: the newest ``limit`` of them."""
    records = read_audit(state.services, actor, action or None, actor_name or None, since)
    if text:
        needle = text.lower()
        records = [r for r in records if needle in f"{r.target} {r.details}".lower()]
    return records[-limit:]


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export(
    actor: AuditReader,
    state: State,
    format: Annotated[Literal["csv", "json"], Query()] = "json",
) -> Response:
    """The whole log with hashes and signatures, so it can be verified elsewhere (audited)."""
    body = export_audit(state.services, actor, format, f"download by {actor.username}")
    media = "application/json" if format == "json" else "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="lfr-audit.{format}"'},
    )


@router.post("/verify", response_model=VerifyPublic)
async def verify(body: VerifyRequest, actor: AuditReader, state: State) -> VerifyPublic:
    """Check every entry's sequence, link, hash and signature with the PUBLIC key only."""
    path = key_dir(state.services.data_dir) / AUDIT_PUBLIC
    try:
        public_key = load_public_key(path)
    except OSError as exc:
        raise LfrError(f"cannot read the audit public key {path}: {exc.strerror}") from None
    published = read_heads(heads_path(state.services.data_dir))
    report = await run_in_threadpool(
        verify_chain, state.services.db, public_key, body.known_head or None, published
    )
    return VerifyPublic(
        ok=report.ok,
        entries=report.entries,
        first_bad_seq=report.first_bad_seq,
        problem=report.problem,
        head_hash=report.head_hash,
    )
