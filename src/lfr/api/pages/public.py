"""For everyone, without an account: the transparency page and the printable signage poster.

Nothing here names or pictures anyone: deployments (where, when, why) and their published
records (counts only).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lfr.api.deps import State
from lfr.api.pages.common import render
from lfr.api.qr import qr_svg
from lfr.api.schemas.base import RowId
from lfr.audit.heads import latest_published
from lfr.errors import NotFoundError
from lfr.governance.policy_service import policy_in_force
from lfr.governance.records import public_records, public_schedule
from lfr.governance.states import DeploymentState

router = APIRouter(include_in_schema=False)


def _base_url(request: Request, state: State) -> str:
    return (state.config.public_url or str(request.base_url)).rstrip("/")


@router.get("/public")
def transparency_page(request: Request, state: State) -> Response:
    return render(
        state,
        request,
        "public.html",
        {
            "title": "Live facial recognition: where, why, and your rights",
            "schedule": public_schedule(state.services),
            "records": public_records(state.services),
            "organisation": state.config.organisation,
            "complaints": state.config.complaints,
            "retention_days": _retention_days(state),
            "audit_head": latest_published(state.services.data_dir),
        },
    )


@router.get("/public/deployments/{deployment_id}/poster")
def poster(deployment_id: RowId, request: Request, state: State) -> Response:
    found = _announced(state, deployment_id)
    url = f"{_base_url(request, state)}/public#deployment-{deployment_id}"
    return render(
        state,
        request,
        "poster.html",
        {
            "title": f"Live facial recognition in use: {found['location']['name']}",
            "d": found,
            "url": url,
            "qr": qr_svg(url, "QR code: the transparency page for this deployment"),
            "organisation": state.config.organisation,
        },
    )


def _retention_days(state: State) -> int:
    with state.services.transaction() as session:
        return policy_in_force(session).retention.alert_media_days


def _announced(state: State, deployment_id: int) -> dict[str, Any]:
    for item in public_schedule(state.services):
        if item["deployment_id"] == deployment_id:
            return item
    for record in public_records(state.services):
        if record.deployment_id == deployment_id:
            return {
                "deployment_id": deployment_id,
                "state": DeploymentState.ENDED,
                "starts_at": record.started_at,
                "ends_at": record.ended_at,
                "location": asdict(record.location),
                "purpose": record.purpose,
            }
    raise NotFoundError(f"deployment {deployment_id} has not been announced")
