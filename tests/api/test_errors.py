"""Bad input gets a clear JSON error with the right status; the server keeps serving."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.api import WebConfig
from lfr.api.http.middleware import SECURITY_HEADERS
from tests.api.conftest import UPLOAD_LIMIT
from tests.api.helpers import as_user, login
from tests.gov.factories import add_watchlist


def test_malformed_json_is_422_with_a_clear_message(app: FastAPI) -> None:
    client = as_user(app, "olive")
    response = client.post(
        "/api/deployments", content=b'{"name": "x",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith("malformed JSON in the request body")
    assert client.get("/api/auth/me").status_code == 200


def test_invalid_fields_are_named_and_passwords_never_echoed(client: TestClient) -> None:
    response = client.post("/api/auth/login", json={"username": "olive", "password": ""})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("invalid request: password:")
    assert all("input" not in error for error in body["errors"])
    extra = client.post(
        "/api/auth/login", json={"username": "olive", "password": "x", "admin": True}
    )
    assert extra.status_code == 422 and "admin" in extra.json()["detail"]


def test_unknown_paths_and_objects_are_404(app: FastAPI) -> None:
    client = as_user(app, "olive")
    assert client.get("/api/nothing").json() == {"detail": "nothing at /api/nothing"}
    missing = client.get("/api/deployments/999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no deployment with id 999"}
    page = client.get("/deployments/999")
    assert page.status_code == 404 and 'data-testid="error-detail"' in page.text


def test_an_oversized_body_is_refused_with_413_before_it_is_read(app: FastAPI) -> None:
    client = as_user(app, "wendy")
    watchlist_id = add_watchlist(app.state.lfr.services, entries=0)
    big = b"x" * (UPLOAD_LIMIT + 1)
    response = client.post(
        f"/api/watchlists/{watchlist_id}/entries",
        files={"photos": ("big.jpg", big, "image/jpeg")},
        data={"reference": "R1"},
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "request body too large: the limit is 256 KiB"
    assert client.get("/api/watchlists").status_code == 200


def test_a_streamed_body_is_cut_off_at_the_limit(app: FastAPI) -> None:
    client = as_user(app, "olive")

    def chunks() -> Iterator[bytes]:
        for _ in range(UPLOAD_LIMIT // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/api/deployments", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_the_default_upload_limit_is_10_mib() -> None:
    assert WebConfig(session_key=b"k" * 32).max_upload_bytes == 10 * 1024 * 1024


def test_security_headers_on_every_kind_of_response(app: FastAPI) -> None:
    client = TestClient(app)
    responses = [
        client.get("/public"),
        client.get("/api/public/records"),
        client.get("/api/alerts"),  # 401
        client.get("/static/app.css"),
        client.get("/login"),
    ]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.url, name)
    assert responses[0].headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in responses[0].headers["content-security-policy"]
    assert responses[0].headers["x-frame-options"] == "DENY"
    assert responses[0].headers["x-content-type-options"] == "nosniff"


def test_a_refused_service_call_reads_as_a_plain_message(app: FastAPI) -> None:
    client = as_user(app, "olive")
    login(client, "olive")
    response = client.post("/api/alerts/nope/adjudicate", json={"decision": "confirmed"})
    assert response.status_code == 404 and response.json() == {"detail": "no alert 'nope'"}
    bad = client.post("/api/alerts/nope/adjudicate", json={"decision": "maybe"})
    assert bad.status_code == 422 and "decision" in bad.json()["detail"]


def test_text_with_a_nul_character_is_refused_not_a_database_error(app: FastAPI) -> None:
    """PostgreSQL cannot hold NUL in text: it was a 503; SQLite stored it. Now 400 on both."""
    client = TestClient(app, raise_server_exceptions=False)
    login = client.post("/api/auth/login", json={"username": "ol\u0000ive", "password": "x"})
    lookup = as_user(app, "olive").get("/api/alerts/a%00b")
    for response in (login, lookup):
        assert response.status_code == 400, response.text
        assert response.json() == {"detail": "text may not contain the NUL character (\\x00)"}
