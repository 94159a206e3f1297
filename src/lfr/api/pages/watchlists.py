"""Watchlist managers: the lists, their entries, adding a person with photos."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lfr.access.roles import PERMISSIONS, Action
from lfr.api.deps import State, WatchlistReader
from lfr.api.pages.common import render
from lfr.api.schemas.base import RowId
from lfr.governance.law.annex_ii import ANNEX_II_OFFENCES
from lfr.governance.law.policy_service import current_policy
from lfr.governance.watchlists import entries as watchlists
from lfr.governance.watchlists.entry_details import entry_facts

router = APIRouter(include_in_schema=False)


@router.get("/watchlists")
def watchlists_page(request: Request, actor: WatchlistReader, state: State) -> Response:
    return render(
        state,
        request,
        "watchlists.html",
        {
            "title": "Watchlists",
            "watchlists": watchlists.list_watchlists(state.services, actor),
            "may_manage": actor.role in PERMISSIONS[Action.WATCHLIST_MANAGE],
        },
        actor,
    )


@router.get("/watchlists/{watchlist_id}")
def watchlist_page(
    watchlist_id: RowId, request: Request, actor: WatchlistReader, state: State
) -> Response:
    found = [w for w in watchlists.list_watchlists(state.services, actor) if w.id == watchlist_id]
    entries = watchlists.list_entries(state.services, actor, watchlist_id, include_inactive=True)
    policy = current_policy(state.services, actor)
    return render(
        state,
        request,
        "watchlist.html",
        {
            "title": f"Watchlist {found[0].name if found else watchlist_id}",
            "watchlist": found[0] if found else None,
            "entries": entries,
            "policy": policy,
            "expires_days": min(7, policy.max_entry_days),
            "max_upload_mb": state.config.max_upload_bytes / (1024 * 1024),
            "max_photos": state.config.images.max_request_files,
            "max_photo_megapixels": state.config.images.max_pixels / 1e6,
            "may_manage": actor.role in PERMISSIONS[Action.WATCHLIST_MANAGE],
            "enrolment": state.enroller is not None,
            "may_see_faces": actor.role in PERMISSIONS[Action.WATCHLIST_FACE_VIEW],
            "facts": entry_facts(state.services, actor, watchlist_id),
            "offences": ANNEX_II_OFFENCES,
            "may_approve_child": actor.role in PERMISSIONS[Action.ENTRY_CHILD_APPROVE],
        },
        actor,
    )
