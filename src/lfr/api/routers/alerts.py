"""The alert queue: list, live stream, the two faces side by side, and the human decisions -
confirm or reject (operators; a second operator where the policy asks), the outcome (field
officers), evidential holds (authorising officers)."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response, StreamingResponse

from lfr.api.alert_stream import alert_events
from lfr.api.deps import AlertReader, CurrentActor, State
from lfr.api.schemas.alerts import (
    AdjudicationRequest,
    AlertMediaPublic,
    AlertPublic,
    HandledAlertsPublic,
    HoldRequest,
    OutcomeRequest,
    ReleaseRequest,
    SecondConfirmationRequest,
)
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.api.sessions import Claims
from lfr.api.state import AppState
from lfr.api.stream_slots import STREAM_REFUSALS, SlotStreamingResponse
from lfr.errors import NotFoundError
from lfr.events import topics
from lfr.governance.alerts import adjudication
from lfr.governance.alerts.adjudication import AlertView
from lfr.governance.alerts.history import MAX_PAGE, HandledPage, handled_alerts
from lfr.governance.alerts.views import Picture
from lfr.governance.deployments import assignments
from lfr.governance.retention import holds

router = APIRouter(prefix="/api/alerts", tags=["alerts"])

AlertId = Annotated[str, "the engine's alert id"]


def _updated(state: AppState, view: AlertView) -> AlertView:
    topics.publish_alert_update(state.bus, view.deployment_id, view.id, view.status, view.outcome)
    return view


@router.get("", response_model=many(AlertPublic))
def list_alerts(
    actor: AlertReader,
    state: State,
    deployment_id: Annotated[RowId | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> list[AlertView]:
    """Alerts, oldest first (the review order)."""
    return adjudication.list_alerts(state.services, actor, deployment_id, status)


@router.get("/handled", response_model=HandledAlertsPublic)
def handled(
    actor: AlertReader,
    state: State,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HandledPage:
    """The alerts the caller already handled (decided or recorded the outcome of), newest
    first, a page at a time; only of deployments they are assigned to."""
    return handled_alerts(state.services, actor, limit=limit, offset=offset)


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "server-sent events"},
        **STREAM_REFUSALS,
    },
)
def stream(
    request: Request,
    actor: AlertReader,
    state: State,
    deployment_id: Annotated[RowId | None, Query()] = None,
    after: Annotated[str | None, Query(max_length=36, description="last alert id seen")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=36)] = None,
) -> StreamingResponse:
    """New alerts as server-sent events, within a second of being stored; reconnecting with
    ``Last-Event-ID`` (or ``?after=``) first sends every alert missed since."""
    claims: Claims = request.state.claims
    if deployment_id is not None:  # need to know: refused before the stream starts (403)
        assignments.check_assigned(state.services, actor, deployment_id)
    slot = state.streams.acquire(actor.username)  # before the response starts: 429 or 503
    events = alert_events(state, actor, last_event_id or after, deployment_id, claims)
    return SlotStreamingResponse(
        events,
        slot,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/{alert_id}", response_model=AlertPublic)
def get_alert(alert_id: AlertId, actor: AlertReader, state: State) -> AlertView:
    return adjudication.get_alert(state.services, actor, alert_id)


@router.get("/{alert_id}/media", response_model=AlertMediaPublic)
def alert_media(
    request: Request, alert_id: AlertId, actor: AlertReader, state: State
) -> AlertMediaPublic:
    """The probe face crop and the watchlist image it matched, decrypted for this view only
    (audited as ``alert.media.viewed``; never cached). 404 once the purge has erased them.
    This login session may then decide about the alert (it has seen both faces)."""
    sid = _sid(request)
    media = adjudication.alert_media(state.services, actor, alert_id, viewer_session=sid)
    if media is None:
        raise NotFoundError(f"the pictures of alert {alert_id[:36]} were erased (retention)")
    probe, enrolled = media
    return AlertMediaPublic(alert_id=alert_id, probe=_data_url(probe), enrolled=_data_url(enrolled))


@router.get(
    "/{alert_id}/media/{picture}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "the picture (JPEG)"}},
)
def alert_picture(
    request: Request, alert_id: AlertId, picture: Picture, actor: AlertReader, state: State
) -> Response:
    """One picture of the alert - ``probe`` (the face the camera saw) or ``enrolled`` (the
    watchlist image) - as a JPEG for an ``<img>``: audited, never cached, and recorded as seen
    by this login session (a decision needs both). 404 once the purge has erased it."""
    jpeg = adjudication.alert_picture(
        state.services, actor, alert_id, picture, viewer_session=_sid(request)
    )
    if jpeg is None:
        raise NotFoundError(f"the pictures of alert {alert_id[:36]} were erased (retention)")
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/{alert_id}/adjudicate", response_model=AlertPublic)
def adjudicate(
    request: Request,
    alert_id: AlertId,
    body: AdjudicationRequest,
    actor: CurrentActor,
    state: State,
) -> AlertView:
    """An operator confirms the match or marks a false alert: refused (409) until this login
    session has loaded both pictures of the alert."""
    view = adjudication.adjudicate(
        state.services, actor, alert_id, body.decision, body.note, viewer_session=_sid(request)
    )
    return _updated(state, view)


@router.post("/{alert_id}/second-confirm", response_model=AlertPublic)
def second_confirm(
    request: Request,
    alert_id: AlertId,
    body: SecondConfirmationRequest,
    actor: CurrentActor,
    state: State,
) -> AlertView:
    """A different operator agrees or disagrees (where the policy asks for two); like the
    first decision, only once this login session has loaded both pictures."""
    view = adjudication.second_confirm(
        state.services, actor, alert_id, body.agree, body.note, viewer_session=_sid(request)
    )
    return _updated(state, view)


@router.post("/{alert_id}/outcome", response_model=AlertPublic)
def record_outcome(
    alert_id: AlertId, body: OutcomeRequest, actor: CurrentActor, state: State
) -> AlertView:
    """A field officer records what happened: engaged, arrested (with the corroboration
    used: never on the match alone) or no action."""
    view = adjudication.record_outcome(
        state.services, actor, alert_id, body.outcome, body.corroboration
    )
    return _updated(state, view)


@router.post("/{alert_id}/hold", response_model=AlertPublic)
def hold(alert_id: AlertId, body: HoldRequest, actor: CurrentActor, state: State) -> AlertView:
    """Evidential hold (authorising officers): kept past the retention limits."""
    return _updated(state, holds.hold(state.services, actor, alert_id, body.reason))


@router.post("/{alert_id}/release", response_model=AlertPublic)
def release(
    alert_id: AlertId, body: ReleaseRequest, actor: CurrentActor, state: State
) -> AlertView:
    return _updated(state, holds.release_hold(state.services, actor, alert_id, body.note))


def _sid(request: Request) -> str:
    """The login session (page cookie or bearer token) of an authenticated request."""
    claims: Claims = request.state.claims
    return claims.sid


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
