"""The independent authority at the API: it reads the requests submitted to it (entries by
reference and category, never names, faces or alerts) and decides them; the force submits.
Refusals are 4xx in plain words naming the rule's source.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import hashlib

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.governance.law.policy import Policy
from tests.api.helpers import as_user
from tests.gov.conftest import JUDGE
from tests.gov.factories import add_alert, add_deployment, add_users, set_policy, snapshot

pytestmark = pytest.mark.backends("sqlite")

SHA = hashlib.sha256(b"the order").hexdigest()
REQUEST = {"justification_harm": "imminent threat", "justification_rights": "narrow, signposted"}
DECISION = {
    "grant": True,
    "reasons": "proportionate",
    "document_ref": "ORD-1",
    "document_sha256": SHA,
}


@pytest.fixture
def judge_app(app: FastAPI, services: Services) -> FastAPI:
    add_users(services, JUDGE)
    return app


def test_the_force_submits_and_the_authority_reads_and_grants(
    judge_app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="authorised")
    olive = as_user(judge_app, "olive")
    response = olive.post(f"/api/deployments/{deployment_id}/authority", json=REQUEST)
    assert response.status_code == 201, response.text
    judge = as_user(judge_app, JUDGE.username)
    (listed,) = judge.get("/api/authority/requests").json()
    assert listed["justification_harm"] == "imminent threat"
    assert {e["reference"] for e in listed["entries"]} == {"WL-0000", "WL-0001", "WL-0002"}
    assert "Person 0" not in str(listed)  # references and categories, never names
    response = judge.post(
        f"/api/deployments/{deployment_id}/authority/decision",
        json={**DECISION, "cameras": ["cam-1"]},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["decision"], response.json()["granted_cameras"]) == (
        "granted",
        ["cam-1"],
    )
    shown = olive.get(f"/api/deployments/{deployment_id}/authority").json()
    assert shown["decided_by"] == JUDGE.username and shown["document_sha256"] == SHA


@pytest.mark.parametrize(
    "path",
    [
        "/api/alerts",
        "/api/alerts/{a}",
        "/api/alerts/{a}/media",
        "/api/watchlists",
        "/api/deployments",
        "/api/deployments/{d}",
    ],
)
def test_the_authority_sees_no_alerts_no_faces_and_nothing_else_of_the_force(
    judge_app: FastAPI, services: Services, path: str
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = add_alert(services, deployment_id)
    response = as_user(judge_app, JUDGE.username).get(path.format(d=deployment_id, a=alert_id))
    assert response.status_code == 403, response.text
    assert "independent_authority" in response.json()["detail"]


def test_only_the_authority_decides_and_a_refusal_writes_nothing(
    judge_app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="authorised")
    olive = as_user(judge_app, "olive")
    assert (
        olive.post(f"/api/deployments/{deployment_id}/authority", json=REQUEST).status_code == 201
    )
    arthur = as_user(judge_app, "arthur")
    judge = as_user(judge_app, JUDGE.username)
    before = snapshot(services)
    refused = arthur.post(f"/api/deployments/{deployment_id}/authority/decision", json=DECISION)
    assert refused.status_code == 403 and "may not" in refused.json()["detail"]
    wider = judge.post(
        f"/api/deployments/{deployment_id}/authority/decision",
        json={**DECISION, "cameras": ["cam-9"]},
    )
    assert wider.status_code in (409, 422) and "granted cameras" in wider.json()["detail"]
    count, rows = snapshot(services)
    assert rows == before[1] and count == before[0]  # no audit entry
    assert olive.get(f"/api/deployments/{deployment_id}/authority").json()["decision"] is None


def test_a_request_without_both_justifications_is_refused(
    judge_app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="authorised")
    response = as_user(judge_app, "olive").post(
        f"/api/deployments/{deployment_id}/authority",
        json={"justification_harm": "x", "justification_rights": "   "},
    )
    assert response.status_code == 422


def test_the_pages_show_the_request_form_then_the_decision(
    judge_app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="authorised")
    olive = as_user(judge_app, "olive")
    page = olive.get(f"/deployments/{deployment_id}").text
    assert 'data-testid="authority-section"' not in page  # the UK default does not require it
    set_policy(services, Policy(independent_authorisation_required=True))
    page = olive.get(f"/deployments/{deployment_id}").text
    assert 'data-testid="authority-request-form"' in page
    olive.post(f"/api/deployments/{deployment_id}/authority", json=REQUEST)
    judge = as_user(judge_app, JUDGE.username)
    listing = judge.get("/authority")
    assert listing.status_code == 200 and f"/authority/{deployment_id}" in listing.text
    detail = judge.get(f"/authority/{deployment_id}").text
    assert 'data-testid="decision-form"' in detail and 'data-testid="narrowing"' in detail
    assert "imminent threat" in detail and "WL-0001" in detail and "Person 1" not in detail
    judge.post(f"/api/deployments/{deployment_id}/authority/decision", json=DECISION)
    page = olive.get(f"/deployments/{deployment_id}").text
    assert "granted" in page and SHA in page and "authority-request-form" not in page
    assert as_user(judge_app, "fred").get("/authority").status_code == 403
