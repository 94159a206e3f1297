"""For everyone, without an account: the transparency page, the published policy and the
printable signage poster.

Nothing here names or pictures anyone: deployments (where, when, why) and their published
records (counts only). Who runs the system, how to reach them and the local time zone come from
the site settings (``lfr.governance.records.site_settings``).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lfr.api.deps import State
from lfr.api.pages.common import render
from lfr.api.pages.public_text import describe_revision, local_time
from lfr.api.qr import qr_svg
from lfr.api.schedule import announced_schedule
from lfr.api.schemas.base import RowId
from lfr.audit.heads import latest_published
from lfr.errors import NotFoundError
from lfr.governance.law.policy_service import policy_in_force, profile_in_force
from lfr.governance.law.profiles import Profile
from lfr.governance.records.published import public_records, public_schedule
from lfr.governance.records.site_settings import SiteSettings, read_site_settings
from lfr.governance.states import DeploymentState

router = APIRouter(include_in_schema=False)


def _base_url(request: Request, state: State, site: SiteSettings) -> str:
    """The site settings' public URL, else ``lfr serve --public-url``, else this request's."""
    return (site.public_url or state.config.public_url or str(request.base_url)).rstrip("/")


def _site_context(state: State, site: SiteSettings) -> dict[str, Any]:
    """What every public page says about who runs the system, and its local time."""
    local = local_time(site.zone())
    return {
        "organisation": site.force_name,
        "site": site,
        "complaints": state.config.complaints,
        "complaints_link": site.complaints_link(),
        "local": local,
        "zone": site.time_zone,
    }


@router.get("/public")
def transparency_page(request: Request, state: State) -> Response:
    site = read_site_settings(state.services)
    context = _site_context(state, site)
    records = public_records(state.services)
    revised = {
        r.deployment_id: [describe_revision(v, context["local"]) for v in r.revisions]
        for r in records
    }
    return render(
        state,
        request,
        "public.html",
        {
            **context,
            "title": "Live facial recognition: where, why, and your rights",
            "schedule": announced_schedule(state),
            "records": records,
            "revised": revised,
            "retention_days": _retention_days(state),
            "audit_head": latest_published(state.services.data_dir),
            "profile": _profile(state),
        },
    )


@router.get("/public/policy")
def public_policy(request: Request, state: State) -> Response:
    """The policy in force, published: who may be put on a watchlist, why a deployment may
    happen, the thresholds and how long anything is kept."""
    site = read_site_settings(state.services)
    with state.services.transaction() as session:
        policy = policy_in_force(session)
    return render(
        state,
        request,
        "policy.html",
        {
            **_site_context(state, site),
            "title": "The policy for live facial recognition",
            "policy": policy,
            "may_set": False,
            "public": True,
        },
    )


@router.get("/public/deployments/{deployment_id}/poster")
def poster(deployment_id: RowId, request: Request, state: State) -> Response:
    site = read_site_settings(state.services)
    found = _announced(state, deployment_id)
    base = _base_url(request, state, site)
    url = f"{base}/public#deployment-{deployment_id}"
    return render(
        state,
        request,
        "poster.html",
        {
            **_site_context(state, site),
            "title": f"Live facial recognition in use: {found['location']['name']}",
            "d": found,
            "url": url,
            "policy_url": f"{base}/public/policy",
            "qr": qr_svg(url, "QR code: the transparency page for this deployment"),
        },
    )


def _profile(state: State) -> Profile:
    """The jurisdiction profile in force: its rules, in plain words with their sources."""
    with state.services.transaction() as session:
        return profile_in_force(session)


def _retention_days(state: State) -> int:
    with state.services.transaction() as session:
        return policy_in_force(session).retention.alert_media_days


def _announced(state: State, deployment_id: int) -> dict[str, Any]:
    for item in public_schedule(state.services):
        if item["deployment_id"] == deployment_id:
            return item
    for record in public_records(state.services):
        if record.deployment_id == deployment_id and record.status != "cancelled":
            return {
                "deployment_id": deployment_id,
                "state": DeploymentState.ENDED,
                "starts_at": record.started_at,
                "ends_at": record.ended_at,
                "location": asdict(record.location),
                "purpose": record.purpose,
            }
    raise NotFoundError(f"deployment {deployment_id} has not been announced")
