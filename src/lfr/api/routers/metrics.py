"""``/metrics`` for Prometheus: with the scrape token (``Authorization: Bearer <token>``) or a
staff login, never for anyone else. Counts and latencies only, and alerts only in all, so
even a reader cannot tell which deployment just raised one."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lfr.api.camera_states import camera_states
from lfr.api.deps import State, current_actor, presented_token
from lfr.api.state import AppState
from lfr.events.metrics import CONTENT_TYPE
from lfr.store.scrape_token import token_digest

router = APIRouter(include_in_schema=False)


def is_scrape_token(state: AppState, token: str) -> bool:
    expected = state.config.scrape_token_sha256
    return expected is not None and hmac.compare_digest(token_digest(token), expected)


async def scraper_or_staff(request: Request, state: State) -> None:
    """The scrape token, else whatever a staff login needs (401 without one)."""
    token, via_cookie = presented_token(request)
    if token is not None and not via_cookie and is_scrape_token(state, token):
        return
    await current_actor(request, state)


@router.get("/metrics", dependencies=[Depends(scraper_or_staff)])
def prometheus(state: State) -> Response:
    """Prometheus metrics: counts and latencies only, nothing about anyone."""
    state.metrics.set_camera_states(camera_states(state, None))
    return Response(state.metrics.render(), media_type=CONTENT_TYPE)
