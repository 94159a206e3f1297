"""The login page over plain http when the cookies are Secure: it says why logging in cannot
work there and what to do, instead of "the login form expired".

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from tests.gov.factories import PASSWORD

pytestmark = pytest.mark.backends("sqlite")

EXPLAINED = 'data-testid="login-needs-https"'


@pytest.fixture
def secure(
    services: Services, app: FastAPI, bus: InMemoryEventBus, web_config: WebConfig
) -> FastAPI:
    return create_app(services, bus, replace(web_config, secure_cookies=True))


def test_plain_http_from_another_machine_is_explained_before_and_after_submitting(
    secure: FastAPI,
) -> None:
    browser = TestClient(secure, base_url="http://192.0.2.7:8000")
    form = browser.get("/login")
    assert EXPLAINED in form.text
    assert "lfr serve --tls-cert FILE --tls-key FILE" in form.text
    assert "http://localhost:8000/login" in form.text
    # A browser drops the Secure cookie on http, so the form comes back without it.
    browser.cookies.clear()
    sent = browser.post(
        "/login", data={"username": "olive", "password": PASSWORD, "login_token": "x"}
    )
    assert sent.status_code == 400
    assert "Log in over HTTPS" in sent.text and "The login form expired" not in sent.text


@pytest.mark.parametrize(
    "base_url", ["https://192.0.2.7", "http://localhost:8000", "http://127.0.0.1"]
)
def test_https_and_this_machine_are_not_warned_about(secure: FastAPI, base_url: str) -> None:
    assert EXPLAINED not in TestClient(secure, base_url=base_url).get("/login").text


def test_without_secure_cookies_nothing_is_explained(app: FastAPI) -> None:
    assert EXPLAINED not in TestClient(app, base_url="http://192.0.2.7").get("/login").text
