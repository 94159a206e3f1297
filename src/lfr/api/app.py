"""``create_app``: the FastAPI app, from services and a bus made by the caller.

Nothing is created at import time. The composition root (``lfr.app.build_control_centre``)
builds the services, the bus, the camera host and the enroller and hands them in here; the tests
hand in their own.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from lfr import __version__
from lfr.access.services import Services
from lfr.api.config import WebConfig
from lfr.api.http import error_docs, errors
from lfr.api.http.middleware import BodyLimit, SecurityHeaders
from lfr.api.login_throttle import LoginThrottle
from lfr.api.pages import admin as admin_pages
from lfr.api.pages import auth as auth_pages
from lfr.api.pages import authority as authority_pages
from lfr.api.pages import documents as document_pages
from lfr.api.pages import operations as operation_pages
from lfr.api.pages import oversight as oversight_pages
from lfr.api.pages import public as public_pages
from lfr.api.pages import watchlists as watchlist_pages
from lfr.api.pages.common import build_templates
from lfr.api.ports import CameraControl, EnrollerProvider
from lfr.api.routers import (
    alerts,
    assignments,
    audit,
    auth,
    authority,
    cameras,
    deployments,
    encounters,
    jurisdiction,
    metrics,
    public,
    records,
    settings,
    users,
    watchlists,
)
from lfr.api.sessions import SessionSigner
from lfr.api.state import AppState
from lfr.api.stream_slots import StreamSlots
from lfr.events.bus import EventBus
from lfr.events.health import HealthBoard
from lfr.events.metrics import Metrics
from lfr.web import STATIC

API_ROUTERS = (
    auth.router,
    users.router,
    settings.router,
    watchlists.router,
    deployments.router,
    assignments.router,
    cameras.router,
    alerts.router,
    encounters.router,
    records.router,
    audit.router,
    public.router,
    metrics.router,
    jurisdiction.router,
    authority.router,
)
PAGE_ROUTERS = (
    auth_pages.router,
    authority_pages.router,
    operation_pages.router,
    watchlist_pages.router,
    admin_pages.router,
    oversight_pages.router,
    public_pages.router,
    document_pages.router,
)
DESCRIPTION = """\
OpenLFR's HTTP API. Pages use a session cookie (HttpOnly, SameSite=Strict) and must send the
session's CSRF token in the `X-CSRF-Token` header with every change; machines use
`Authorization: Bearer <token>` from `POST /api/auth/token`. Errors are `{"detail": "..."}`
(a 422 also lists each invalid field in `errors`); each operation documents the ones it sends.
New alerts arrive as server-sent events on `/api/alerts/stream`.
"""


def create_app(
    services: Services,
    bus: EventBus,
    config: WebConfig,
    *,
    cameras: CameraControl | None = None,
    enroller: EnrollerProvider | None = None,
    metrics: Metrics | None = None,
    health: HealthBoard | None = None,
) -> FastAPI:
    """The web app. ``metrics`` and ``health`` are made and attached to ``bus`` when not given;
    without ``cameras`` the API cannot run cameras, without ``enroller`` it cannot enrol."""
    if metrics is None:
        metrics = Metrics()
        metrics.attach(bus)
    if health is None:
        health = HealthBoard()
        health.attach(bus)
    app = FastAPI(
        title="OpenLFR",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN, which the CSP forbids
        redoc_url=None,
    )
    app.state.lfr = AppState(
        services=services,
        bus=bus,
        config=config,
        sessions=SessionSigner(config.session_key, config.clock),
        metrics=metrics,
        health=health,
        templates=build_templates(),
        streams=StreamSlots(
            config.max_alert_streams,
            config.max_alert_streams_per_user,
            config.stream_retry_after_s,
        ),
        login_throttle=LoginThrottle(config.login_throttle, config.clock),
        cameras=cameras,
        enroller=enroller,
    )
    errors.install(app)
    error_docs.install(app)
    for router in API_ROUTERS:
        app.include_router(router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, max_bytes=config.max_upload_bytes)
    app.add_middleware(SecurityHeaders, hsts=config.secure_cookies)
    return app
