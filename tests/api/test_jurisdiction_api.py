"""Issue 11, part G over HTTP: an admin chooses the profile (audited), staff read its rules with
their sources, the document registry, an evaluation's import and a deployment's expected false
alerts. A refusal comes back in plain words with the rule's source and writes nothing.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from tests.api.helpers import as_user
from tests.gov.factories import add_deployment, add_watchlist, audit_count, audit_entries

pytestmark = pytest.mark.backends("sqlite")

DPIA = {"kind": "dpia", "version": "3", "sha256": "ab" * 32, "review_by": "2030-01-01"}


def test_an_admin_chooses_the_profile_and_staff_read_its_rules_with_sources(
    app: FastAPI, services: Services
) -> None:
    olive = as_user(app, "olive")
    before = audit_count(services)
    assert olive.put("/api/policy/profile", json={"profile": "eu-ai-act"}).status_code == 403
    assert audit_count(services) == before
    chosen = as_user(app, "ada").put("/api/policy/profile", json={"profile": "eu-ai-act"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["profile"] == "eu-ai-act"
    assert "profile" in audit_entries(services, "policy.set")[-1].details["changed"]
    rules = olive.get("/api/policy/profile").json()["rules"]
    assert {"id": "eu-database-registration", "source": "EU AI Act Art. 49"}.items() <= next(
        r for r in rules if r["id"] == "eu-database-registration"
    ).items()


def test_documents_are_registered_by_hash_and_read_by_oversight(
    app: FastAPI, services: Services
) -> None:
    arthur = as_user(app, "arthur")
    added = arthur.post("/api/documents", json=DPIA)
    assert added.status_code == 201, added.text
    assert added.json()["sha256"] == "ab" * 32 and added.json()["created_by"] == "arthur"
    refused = arthur.post(
        "/api/documents", json={**DPIA, "version": "4", "fria_fields": {"a": "x"}}
    )
    assert refused.status_code == 422 and "only a FRIA" in refused.json()["detail"]
    assert [d["version"] for d in as_user(app, "oscar").get("/api/documents").json()] == ["3"]
    assert as_user(app, "olive").get("/api/documents").status_code == 403
    assert len(audit_entries(services, "document.add")) == 1


def test_the_cost_of_a_deployment_comes_from_the_imported_evaluation(
    app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="draft", watchlist_id=add_watchlist(services))
    arthur = as_user(app, "arthur")
    cost = arthur.get(f"/api/deployments/{deployment_id}/cost")
    assert cost.json()["expected_false_alerts"] == "no evaluation imported"
    rows = [{"threshold": 0.5, "fmr_per_comparison": {"value": 0.001}}]
    report = {"identification": {"by_threshold": rows}}
    assert arthur.post("/api/evaluations", json=report).status_code == 403
    imported = as_user(app, "ada").post("/api/evaluations", json=report)
    assert imported.status_code == 201, imported.text
    words = arthur.get(f"/api/deployments/{deployment_id}/cost").json()["expected_false_alerts"]
    fpir = 1 - (1 - 0.001) ** 3
    assert words.startswith(f"FPIR {fpir:.3g} at 3 entries, threshold 0.5")
    bad = as_user(app, "ada").post("/api/evaluations", json=json.loads('{"identification": null}'))
    assert bad.status_code == 422 and "no identification results" in bad.json()["detail"]


def test_the_pages_show_the_profile_rules_documents_and_cost(
    app: FastAPI, services: Services
) -> None:
    ada = as_user(app, "ada")
    ada.put("/api/policy/profile", json={"profile": "eu-ai-act"})
    public = TestClient(app).get("/public").text
    assert 'data-rule="eu-database-registration"' in public and "(EU AI Act Art. 49)" in public
    policy_page = ada.get("/policy").text
    assert 'data-testid="profile-select"' in policy_page
    assert 'data-testid="policy-profile">eu-ai-act' in policy_page
    as_user(app, "arthur").post("/api/documents", json=DPIA)
    oscar_page = as_user(app, "oscar").get("/documents")
    assert oscar_page.status_code == 200 and 'data-testid="document-row"' in oscar_page.text
    assert 'data-testid="document-form"' not in oscar_page.text
    assert 'data-testid="document-form"' in as_user(app, "arthur").get("/documents").text
    assert as_user(app, "olive").get("/documents").status_code == 403
    deployment_id = add_deployment(services, state="draft")
    page = as_user(app, "arthur").get(f"/deployments/{deployment_id}").text
    assert 'data-testid="deployment-cost">no evaluation imported' in page


def test_a_manager_records_a_child_and_an_authorising_officer_approves_it(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services, name="wl-page")
    url = f"/api/watchlists/{watchlist_id}/entries/WL-0001"
    wendy, arthur = as_user(app, "wendy"), as_user(app, "arthur")
    bad = wendy.post(f"{url}/details", json={"offence": "shoplifting"})
    assert bad.status_code == 422
    child = {"date_of_birth": "2015-05-05", "child_reason": "missing, at risk"}
    assert wendy.post(f"{url}/details", json=child).status_code == 204
    assert wendy.post(f"{url}/approve-child").status_code == 403
    page = arthur.get(f"/watchlists/{watchlist_id}").text
    assert "under 18</strong>: missing, at risk" in page
    assert 'data-testid="entry-approve-child"' in page
    assert arthur.post(f"{url}/approve-child").status_code == 204
    assert "approved by arthur" in arthur.get(f"/watchlists/{watchlist_id}").text
    assert 'data-testid="entry-details-form"' in wendy.get(f"/watchlists/{watchlist_id}").text
