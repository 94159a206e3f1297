"""Sessions and tokens are rows in the database: a logout holds across a restart of the server,
and a new password or a new role ends every other session and token of that user at once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from tests.api.helpers import as_user, bearer, login
from tests.gov.factories import PASSWORD, audit_entries


def _restarted(services: Services, web_config: WebConfig) -> TestClient:
    """A new server process on the same database and key: nothing kept in memory."""
    return TestClient(create_app(services, InMemoryEventBus(), web_config))


def test_a_logged_out_token_stays_refused_after_a_restart(
    client: TestClient, services: Services, web_config: WebConfig
) -> None:
    logged_out = bearer(client, "olive")
    still_in = bearer(client, "fred")
    assert client.post("/api/auth/logout", headers=logged_out).status_code == 204

    restarted = _restarted(services, web_config)
    response = restarted.get("/api/auth/me", headers=logged_out)
    assert response.status_code == 401
    assert response.json()["detail"] == "logged out: log in again"
    assert restarted.get("/api/auth/me", headers=still_in).status_code == 200
    (entry,) = audit_entries(services, "auth.logout")
    assert (entry.actor, entry.details) == ("olive", {"kind": "bearer"})


def test_a_password_change_ends_the_users_other_sessions_and_tokens(
    app: FastAPI, services: Services
) -> None:
    changing = as_user(app, "olive")
    other_page = as_user(app, "olive")
    machine = TestClient(app)
    token = bearer(machine, "olive")
    colleague = as_user(app, "fred")

    body = {"old_password": PASSWORD, "new_password": "a brand new pass phrase"}
    assert changing.post("/api/users/me/password", json=body).status_code == 204
    assert changing.get("/api/auth/me").status_code == 200  # the page that changed it stays
    for other, headers in ((other_page, {}), (machine, token)):
        response = other.get("/api/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == "the password was changed: log in again"
    assert colleague.get("/api/auth/me").status_code == 200
    (entry,) = audit_entries(services, "user.password_change")
    assert entry.details == {"sessions_revoked": 2}
    login(other_page, "olive", "a brand new pass phrase")
    assert other_page.get("/api/auth/me").status_code == 200


def test_a_new_role_ends_the_users_sessions(app: FastAPI, services: Services) -> None:
    admin = as_user(app, "ada")
    officer = TestClient(app)
    token = bearer(officer, "fred")
    assert admin.put("/api/users/fred/role", json={"role": "operator"}).status_code == 200
    response = officer.get("/api/alerts", headers=token)
    assert response.status_code == 401
    assert response.json()["detail"] == "the account's role was changed: log in again"
    assert audit_entries(services, "user.role")[0].details["sessions_revoked"] == 1


def test_a_signed_token_without_its_row_is_refused(app: FastAPI, client: TestClient) -> None:
    """E.g. a token issued before sessions were stored: it must log in again."""
    token, _ = app.state.lfr.sessions.issue("olive", "bearer", 3600)
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "this session has ended: log in again"
