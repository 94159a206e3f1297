"""Web app tests run against SQLite and PostgreSQL, like the governance tests (same fixtures).

``app`` is the real app from ``create_app`` with fake cameras and a fake face enroller;
``client`` drives it in-process, ``live_server`` runs it in uvicorn for the alert stream.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from lfr.store.scrape_token import token_digest
from tests.api.helpers import FakeCameras, FakeEnroller, LiveServer, WallClock
from tests.gov.conftest import services, settings  # noqa: F401 - fixtures
from tests.gov.factories import add_users

SESSION_KEY = b"0123456789abcdef0123456789abcdef"
UPLOAD_LIMIT = 256 * 1024
SCRAPE_TOKEN = "prometheus-scrape-token-for-the-tests-only"


@pytest.fixture
def web_clock() -> WallClock:
    return WallClock()


@pytest.fixture
def bus() -> InMemoryEventBus:
    return InMemoryEventBus()


@pytest.fixture
def cameras() -> FakeCameras:
    return FakeCameras()


@pytest.fixture
def web_config(web_clock: WallClock) -> WebConfig:
    return WebConfig(
        session_key=SESSION_KEY,
        secure_cookies=False,
        clock=web_clock,
        max_upload_bytes=UPLOAD_LIMIT,
        keepalive_s=0.5,
        scrape_token_sha256=token_digest(SCRAPE_TOKEN),
    )


@pytest.fixture
def app(
    services: Services,  # noqa: F811 - the fixture imported above
    bus: InMemoryEventBus,
    web_config: WebConfig,
    cameras: FakeCameras,
) -> FastAPI:
    add_users(services)
    return create_app(services, bus, web_config, cameras=cameras, enroller=FakeEnroller)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()
