"""Logging in cannot be used to probe names, grow the audit log or burn the server's CPU: an
unknown name, a wrong password and a locked account get the same answer after the same work;
failed logins are audited as one entry per window; a client address that keeps failing is
answered 429 with Retry-After before any password is checked (the JSON API and the login page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from lfr.access.services import Services
from lfr.api.login_throttle import LoginThrottle, ThrottleLimits
from lfr.governance.accounts import users
from lfr.governance.accounts.login_failures import AUDIT_ACTION, WINDOW, close_windows
from lfr.store.tables import User
from tests.api.helpers import WallClock
from tests.gov.factories import PASSWORD, audit_count, audit_entries

LOGIN = "/api/auth/login"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every argon2 verification a login runs, by which hash it was against."""
    calls: list[str] = []
    real: Callable[[str, str], bool] = users.verify_password

    def counted(stored_hash: str, password: str) -> bool:
        calls.append("dummy" if stored_hash == users._dummy_hash() else "account")
        return real(stored_hash, password)

    monkeypatch.setattr(users, "verify_password", counted)
    return calls


def _lock(services: Services, username: str) -> None:
    with services.transaction() as session:
        session.execute(
            update(User)
            .where(User.username == username)
            .values(failed_logins=10, locked_until=services.clock() + timedelta(minutes=15))
        )


def _form_error(client: TestClient, username: str, password: str) -> tuple[int, str]:
    page = client.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    form = {"username": username, "password": password, "login_token": token}
    response = client.post("/login", data=form)
    error = response.text.split('data-testid="login-error" role="alert">')[1].split("<")[0]
    return response.status_code, error


def test_unknown_name_wrong_password_and_locked_account_look_the_same(
    app: FastAPI, services: Services, verifications: list[str]
) -> None:
    _lock(services, "fred")
    attempts = {
        "unknown name": ("nobody.here", PASSWORD),
        "wrong password": ("olive", "not her password"),
        "locked account": ("fred", PASSWORD),  # even the right password
    }
    answers: dict[str, tuple[int, object, list[str]]] = {}
    pages: dict[str, tuple[int, str]] = {}
    work: dict[str, int] = {}
    for case, (username, password) in attempts.items():
        client = TestClient(app, client=(f"10.1.0.{len(answers) + 1}", 5000))
        verifications.clear()
        response = client.post(LOGIN, json={"username": username, "password": password})
        answers[case] = (response.status_code, response.json(), sorted(response.headers))
        work[case] = len(verifications)
        pages[case] = _form_error(client, username, password)
    assert answers["unknown name"] == answers["wrong password"] == answers["locked account"]
    assert answers["unknown name"][:2] == (401, {"detail": "wrong username or password"})
    assert set(pages.values()) == {(401, "wrong username or password")}
    assert work == {"unknown name": 1, "wrong password": 1, "locked account": 1}  # one argon2


def test_fifty_failed_logins_for_unknown_names_add_one_audit_entry(
    client: TestClient, services: Services
) -> None:
    before = audit_count(services)
    for n in range(50):
        response = client.post(LOGIN, json={"username": f"made.up.{n}", "password": "guess"})
        assert response.status_code == 401
    # counted in the window: nothing appended (one entry if the 50 straddled a window's end)
    assert audit_count(services) <= before + 1
    close_windows(services, services.clock() + WINDOW)
    entries = audit_entries(services, AUDIT_ACTION)
    assert 1 <= len(entries) <= 2 and audit_count(services) == before + len(entries)
    assert sum(e.details["failures"] for e in entries) == 50
    assert all(e.details["accounts"] == {} for e in entries)  # made-up names are not kept
    assert "made.up" not in str([e.details for e in entries])


def test_an_address_that_keeps_failing_gets_429_with_retry_after_and_no_password_check(
    app: FastAPI, services: Services, web_clock: WallClock, verifications: list[str]
) -> None:
    guesser = TestClient(app, client=("10.2.0.1", 5000))
    for _ in range(5):
        wrong = guesser.post(LOGIN, json={"username": "olive", "password": "a guess"})
        assert wrong.status_code == 401
    verifications.clear()
    before = audit_count(services)
    for path, body in (
        (LOGIN, {"username": "olive", "password": PASSWORD}),
        ("/api/auth/token", {"username": "OLIVE", "password": "x"}),
    ):
        throttled = guesser.post(path, json=body)
        assert throttled.status_code == 429
        assert 0 < int(throttled.headers["retry-after"]) <= 900
        assert throttled.json()["detail"].startswith("too many failed logins: try again in")
    page = guesser.get("/login")
    token = page.text.split('name="login_token" value="')[1].split('"')[0]
    form = {"username": "olive", "password": PASSWORD, "login_token": token}
    refused = guesser.post("/login", data=form)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert verifications == [] and audit_count(services) == before  # no argon2, no writes

    elsewhere = TestClient(app, client=("10.2.0.2", 5000))  # the account itself is not locked
    assert elsewhere.post(LOGIN, json={"username": "olive", "password": PASSWORD}).is_success
    web_clock.advance(15 * 60)
    assert guesser.post(LOGIN, json={"username": "olive", "password": PASSWORD}).is_success


def test_one_address_may_fail_so_often_in_all_whatever_the_names(app: FastAPI) -> None:
    sprayer = TestClient(app, client=("10.3.0.1", 5000))
    limit = ThrottleLimits().per_address
    for n in range(limit):
        sprayed = sprayer.post(LOGIN, json={"username": f"name{n}", "password": "Summer2026!"})
        assert sprayed.status_code == 401
    assert sprayer.post(LOGIN, json={"username": "fred", "password": PASSWORD}).status_code == 429


def test_the_throttle_keeps_a_bounded_number_of_counts() -> None:
    throttle = LoginThrottle(ThrottleLimits(max_tracked=10), lambda: 1000.0)
    for n in range(1000):
        throttle.failed(f"10.4.{n // 250}.{n % 250}", f"user{n}")
    assert throttle.tracked() == 10
