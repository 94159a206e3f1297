"""Logging in and out, sessions and tokens, lock-out, expiry and CSRF."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from lfr.governance.accounts.login_failures import AUDIT_ACTION, WINDOW, close_windows
from tests.api.helpers import WallClock, as_user, bearer, login
from tests.gov.factories import PASSWORD, audit_entries

FRED_WRONG = {"username": "fred", "password": "bad"}
FRED_RIGHT = {"username": "fred", "password": PASSWORD}


def test_login_sets_a_strict_http_only_cookie_and_returns_the_csrf_token(
    client: TestClient,
) -> None:
    response = client.post("/api/auth/login", json={"username": "olive", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"]) == ("olive", "operator")
    assert body["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lfr_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # this test app serves http://localhost
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "olive"


def test_secure_cookies_carry_the_secure_flag_and_hsts(
    services: Services, app: FastAPI, bus: InMemoryEventBus, web_config: WebConfig
) -> None:
    secure = create_app(services, bus, replace(web_config, secure_cookies=True))
    response = TestClient(secure, base_url="https://testserver").post(
        "/api/auth/login", json={"username": "olive", "password": PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_wrong_password_is_refused_and_counted(client: TestClient, services: Services) -> None:
    response = client.post("/api/auth/login", json={"username": "olive", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "wrong username or password"}
    assert "set-cookie" not in response.headers
    unknown = client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401 and unknown.json()["detail"] == "wrong username or password"
    assert audit_entries(services, "auth.login_failed") == []  # counted, audited per window
    assert close_windows(services, services.clock() + WINDOW) >= 1  # (2 across a boundary)
    reasons: Counter[str] = Counter()
    for entry in audit_entries(services, AUDIT_ACTION):
        reasons.update(entry.details["reasons"])
    assert reasons == {"wrong password": 1, "unknown user": 1}
    assert client.get("/api/auth/me").status_code == 401


def test_ten_wrong_passwords_lock_the_account_but_not_from_one_address(app: FastAPI) -> None:
    first, second, third = (TestClient(app, client=(f"10.0.0.{n}", 5000)) for n in (1, 2, 3))
    for _ in range(5):
        assert first.post("/api/auth/login", json=FRED_WRONG).status_code == 401
    throttled = first.post("/api/auth/login", json=FRED_RIGHT)  # 5 a name from one address
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert second.post("/api/auth/login", json=FRED_RIGHT).status_code == 200  # not locked
    for attempt in range(10):
        response = (second if attempt < 5 else third).post("/api/auth/login", json=FRED_WRONG)
        assert response.json() == {"detail": "wrong username or password"}
    right = TestClient(app, client=("10.0.0.4", 5000)).post("/api/auth/login", json=FRED_RIGHT)
    assert right.status_code == 401  # locked: the same answer as any wrong password
    assert right.json() == {"detail": "wrong username or password"}
    assert first.get("/api/public/records").status_code == 200  # the server keeps serving


def test_an_expired_session_gets_401_and_loses_its_cookie(
    client: TestClient, web_clock: WallClock
) -> None:
    login(client, "olive")
    assert client.get("/api/alerts").status_code == 200
    web_clock.advance(8 * 3600 + 1)
    response = client.get("/api/alerts")
    assert response.status_code == 401
    assert response.json()["detail"] == "session expired: log in again"
    assert response.headers["www-authenticate"] == "Bearer"
    assert 'lfr_session=""' in response.headers["set-cookie"]


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "olive")
    cookie = client.cookies.get("lfr_session")
    assert client.post("/api/auth/logout").status_code == 204
    client.cookies.set("lfr_session", cookie or "")  # a copy kept by an attacker
    response = client.get("/api/alerts")
    assert response.status_code == 401 and "logged out" in response.json()["detail"]


def test_bearer_tokens_work_without_csrf_and_cannot_be_forged(client: TestClient) -> None:
    headers = bearer(client, "olive")
    client.cookies.clear()
    assert client.get("/api/auth/me", headers=headers).json()["kind"] == "bearer"
    plan = client.post("/api/deployments", headers=headers, json={})
    assert plan.status_code == 422  # got past authentication and CSRF: the body is empty
    token = headers["Authorization"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = client.get("/api/auth/me", headers={"Authorization": forged})
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid session token: log in again"


def test_a_page_session_token_is_not_a_bearer_token(client: TestClient) -> None:
    login(client, "olive")
    cookie = client.cookies.get("lfr_session")
    client.cookies.clear()
    response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {cookie}"})
    assert response.status_code == 401


def test_a_change_from_a_cookie_session_needs_the_csrf_token(app: FastAPI) -> None:
    client = as_user(app, "ada")
    body = {"username": "newbie", "password": "a long password 1", "role": "oversight"}
    del client.headers["X-CSRF-Token"]
    missing = client.post("/api/users", json=body)
    assert missing.status_code == 403
    assert missing.json()["detail"].startswith("CSRF check failed")
    wrong = client.post("/api/users", json=body, headers={"X-CSRF-Token": "not-the-token"})
    assert wrong.status_code == 403
    assert [u["username"] for u in client.get("/api/users").json()].count("newbie") == 0
    csrf = login(client, "ada")
    made = client.post("/api/users", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201 and made.json()["role"] == "oversight"


def test_a_disabled_account_loses_its_sessions_at_once(app: FastAPI) -> None:
    admin = as_user(app, "ada")
    officer = as_user(app, "fred")
    assert officer.get("/api/alerts").status_code == 200
    assert admin.post("/api/users/fred/disable").status_code == 200
    response = officer.get("/api/alerts")
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"]


def test_the_login_page_logs_in_with_its_form_token(client: TestClient) -> None:
    page = client.get("/login?next=/deployments")
    assert page.status_code == 200 and 'data-testid="login-form"' in page.text
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    form = {
        "username": "arthur",
        "password": PASSWORD,
        "login_token": token,
        "next": "/deployments",
    }
    response = client.post("/login", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/deployments"
    assert client.get("/deployments").status_code == 200


def test_the_login_form_refuses_without_its_token_or_with_a_wrong_password(
    client: TestClient,
) -> None:
    forged = client.post(
        "/login", data={"username": "arthur", "password": PASSWORD, "login_token": "x"}
    )
    assert forged.status_code == 400 and "login form expired" in forged.text
    page = client.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    wrong = client.post(
        "/login", data={"username": "arthur", "password": "wrong", "login_token": token}
    )
    assert wrong.status_code == 401 and 'data-testid="login-error"' in wrong.text


def test_a_page_without_a_session_redirects_to_login(client: TestClient) -> None:
    response = client.get("/alerts", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/alerts"


def test_logout_form_ends_the_page_session(client: TestClient) -> None:
    csrf = login(client, "olive")
    del client.headers["X-CSRF-Token"]
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/api/auth/me").status_code == 401


def test_root_sends_each_role_home(app: FastAPI) -> None:
    for user, home in [("olive", "/alerts"), ("oscar", "/oversight"), ("wendy", "/watchlists")]:
        response = as_user(app, user).get("/", follow_redirects=False)
        assert response.headers["location"] == home
    assert TestClient(app).get("/", follow_redirects=False).headers["location"] == "/public"
