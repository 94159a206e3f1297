"""Published deployment records for staff, and their export (CSV or JSON)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from lfr.api.deps import RecordReader, State
from lfr.api.exports import records_csv, records_json
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.api.schemas.records import RecordPublic
from lfr.governance.records.published import PublishedRecord, get_record, public_records

router = APIRouter(prefix="/api/records", tags=["records"])


@router.get("", response_model=many(RecordPublic))
def list_records(actor: RecordReader, state: State) -> list[PublishedRecord]:
    """Every published record, newest deployment first."""
    return public_records(state.services)


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def export_records(
    actor: RecordReader,
    state: State,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
) -> Response:
    records = public_records(state.services)
    if format == "json":
        body, media = records_json(records), "application/json"
    else:
        body, media = records_csv(records), "text/csv; charset=utf-8"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="lfr-records.{format}"'},
    )


@router.get("/{deployment_id}", response_model=RecordPublic)
def read_record(deployment_id: RowId, actor: RecordReader, state: State) -> PublishedRecord:
    return get_record(state.services, actor, deployment_id)
