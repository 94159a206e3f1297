"""Role checks at the API: the wrong role gets 403 with the service's own message.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from tests.api.helpers import as_user
from tests.gov.factories import add_alert, add_deployment, snapshot

pytestmark = pytest.mark.backends("sqlite")

REFUSALS = [
    ("fred", "GET", "/api/users", None),
    ("olive", "POST", "/api/users", {"username": "x1x", "password": "p" * 12, "role": "admin"}),
    ("oscar", "PUT", "/api/policy", {}),
    ("olive", "GET", "/api/audit", None),
    ("fred", "GET", "/api/audit/export", None),
    ("wendy", "GET", "/api/alerts", None),
    ("ada", "GET", "/api/alerts", None),
    ("olive", "POST", "/api/watchlists", {"name": "mine"}),
    ("oscar", "POST", "/api/watchlists", {"name": "mine"}),
    ("olive", "GET", "/api/watchlists", None),
    ("fred", "POST", "/api/deployments/{d}/authorise", {"note": ""}),
    ("olive", "POST", "/api/deployments/{d}/authorise", {"note": ""}),
    ("oscar", "POST", "/api/deployments/{d}/signage", {"reference": "S"}),
    ("fred", "POST", "/api/deployments/{d}/start", {}),
    ("arthur", "POST", "/api/deployments/{d}/run", None),
    ("oscar", "POST", "/api/deployments/{d}/end", {}),
    ("fred", "POST", "/api/alerts/{a}/adjudicate", {"decision": "confirmed"}),
    ("oscar", "POST", "/api/alerts/{a}/adjudicate", {"decision": "confirmed"}),
    ("olive", "POST", "/api/alerts/{a}/outcome", {"outcome": "arrested"}),
    ("olive", "POST", "/api/alerts/{a}/hold", {"reason": "evidence"}),
    ("wendy", "POST", "/api/audit/verify", {}),
]


@pytest.mark.parametrize(("user", "method", "path", "body"), REFUSALS)
def test_the_wrong_role_is_refused_with_403_and_nothing_is_written(
    app: FastAPI, services: Services, user: str, method: str, path: str, body: object
) -> None:
    deployment_id = add_deployment(services, state="draft")
    alert_live = add_deployment(services, state="live")
    alert_id = add_alert(services, alert_live)
    before = snapshot(services)
    client = as_user(app, user)
    response = client.request(
        method, path.format(d=deployment_id, a=alert_id), json=body if body is not None else None
    )
    assert response.status_code == 403, response.text
    assert "may not" in response.json()["detail"]
    count, rows = snapshot(services)
    assert rows == before[1]
    assert count == before[0] + 1  # only this user's login


def test_pages_refuse_the_wrong_role_with_a_plain_page(app: FastAPI) -> None:
    response = as_user(app, "fred").get("/users")
    assert response.status_code == 403
    assert "may not user.manage" in response.text
