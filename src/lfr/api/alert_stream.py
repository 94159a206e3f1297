"""Server-sent events for the alert queue: every new alert within a second, and no alert lost
across a reconnect.

On connect the stream first sends what the client has not seen:

* with an anchor (``Last-Event-ID``, which browsers send by themselves on reconnect, or
  ``?after=<alert id>``): the alerts after it - from the bus's history when the anchor is still
  there (publication order), else from the database (every alert stored from a little before the
  anchor on, see ``WebConfig.catch_up_slack_s``);
* without one: the open queue (alerts not yet adjudicated, or without an outcome).

Then it follows the bus. It subscribes BEFORE reading the catch-up, so an alert stored in
between is sent twice rather than never; each stream sends an alert id once, and the page
ignores ids it already shows. Each event is loaded from the store with the reader's own role,
so the stream shows exactly what ``GET /api/alerts/{id}`` would.

Events: ``alert`` (id: the alert id; data: the alert as ``AlertPublic``), ``alert.update``
(no id, so it never moves the resume point; data: the alert after a decision or outcome) and,
last, ``session.expired`` when the session runs out, is logged out or its account disabled
(checked at every keep-alive), after which the stream ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

from starlette.concurrency import run_in_threadpool

from lfr.access.roles import Actor
from lfr.api.accounts import current_account
from lfr.api.schemas.alerts import AlertPublic
from lfr.api.sessions import Claims, SessionError
from lfr.api.state import AppState
from lfr.errors import NotFoundError
from lfr.events import topics
from lfr.events.bus import Event
from lfr.governance.alerts.adjudication import AlertView, get_alert, list_alerts
from lfr.governance.states import ADJUDICATED, AWAITING_REVIEW

RETRY_MS = 2000


def message(view: AlertView, event: str = topics.ALERT) -> str:
    data = AlertPublic.model_validate(view, from_attributes=True).model_dump_json()
    head = f"id: {view.id}\n" if event == topics.ALERT else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def catch_up(
    state: AppState, actor: Actor, anchor: str | None, deployment_id: int | None
) -> list[AlertView]:
    if anchor:
        events = state.bus.replay(anchor, (topics.ALERT,))
        if events is not None:
            return [v for e in events if (v := _load(state, actor, e, deployment_id))]
    views = list_alerts(state.services, actor, deployment_id)
    if anchor:
        seen = next((v for v in views if v.id == anchor), None)
        if seen is not None:
            since = seen.raised_at - timedelta(seconds=state.config.catch_up_slack_s)
            return [v for v in views if v.raised_at >= since and v.id != anchor]
    return [
        v
        for v in views
        if v.status in AWAITING_REVIEW or (v.status in ADJUDICATED and not v.outcome)
    ]


def _load(
    state: AppState, actor: Actor, event: Event, deployment_id: int | None
) -> AlertView | None:
    if deployment_id is not None and event.data.get("deployment_id") != deployment_id:
        return None
    try:
        return get_alert(state.services, actor, str(event.data.get("alert_id", event.id)))
    except NotFoundError:  # purged, or deleted with a refused emergency start
        return None


def session_valid(state: AppState, actor: Actor, claims: Claims) -> bool:
    """The session behind a stream is still good: not expired or revoked, the account active
    and its role unchanged (a new role reconnects and is checked afresh)."""
    try:
        state.sessions.check(claims)
        return current_account(state.services, claims) == actor
    except SessionError:
        return False


async def alert_events(
    state: AppState,
    actor: Actor,
    anchor: str | None,
    deployment_id: int | None,
    claims: Claims,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()

    def hand_over(event: Event) -> None:  # on the publisher's thread
        loop.call_soon_threadsafe(queue.put_nowait, event)

    subscription = state.bus.subscribe(hand_over, (topics.ALERT, topics.ALERT_UPDATE))
    state.metrics.stream_clients.inc()
    sent: set[str] = set()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        for missed in await run_in_threadpool(catch_up, state, actor, anchor, deployment_id):
            if missed.id not in sent:
                sent.add(missed.id)
                yield message(missed)
        checked = time.monotonic()
        while True:
            if time.monotonic() - checked >= state.config.keepalive_s:
                if not await run_in_threadpool(session_valid, state, actor, claims):
                    break
                checked = time.monotonic()
            try:
                event = await asyncio.wait_for(queue.get(), timeout=state.config.keepalive_s)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if event.topic == topics.ALERT and event.id in sent:
                continue
            view: AlertView | None = await run_in_threadpool(
                _load, state, actor, event, deployment_id
            )
            if view is None:
                continue
            if event.topic == topics.ALERT:
                sent.add(view.id)
                yield message(view)
                state.metrics.observe_delivery(time.time() - event.published_at)
            else:
                yield message(view, topics.ALERT_UPDATE)
        yield "event: session.expired\ndata: {}\n\n"
    finally:
        subscription.close()
        state.metrics.stream_clients.dec()
