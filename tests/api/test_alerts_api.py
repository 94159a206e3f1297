"""Reviewing alerts through the API: the faces (decrypted, audited), decisions, outcomes.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import base64

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.events import InMemoryEventBus
from lfr.events.bus import Event
from lfr.governance.law.policy import Policy
from tests.api.helpers import as_user, look_at_faces, raise_alert
from tests.gov.factories import add_deployment, audit_entries, set_policy

pytestmark = pytest.mark.backends("sqlite")


def test_operator_confirms_and_field_officer_records_the_outcome(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    updates: list[Event] = []
    bus.subscribe(updates.append, ("alert.update",))
    olive, fred = as_user(app, "olive"), as_user(app, "fred")

    (listed,) = olive.get("/api/alerts", params={"status": "pending"}).json()
    assert listed["id"] == alert_id
    assert (listed["subject_reference"], listed["score"], listed["threshold"]) == (
        "WL-0001",
        0.69,
        0.5,
    )
    early = fred.post(f"/api/alerts/{alert_id}/outcome", json={"outcome": "arrested"})
    assert (
        early.status_code == 409
        and "only be recorded once the alert is adjudicated" in (early.json()["detail"])
    )
    look_at_faces(olive, alert_id)
    confirmed = olive.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": "confirmed"})
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["adjudicated_by"]) == (
        "confirmed",
        "olive",
    )
    twice = olive.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": "false_alert"})
    assert twice.status_code == 409
    alone = fred.post(f"/api/alerts/{alert_id}/outcome", json={"outcome": "arrested"})
    assert alone.status_code == 422 and "Art. 5(3), last sentence" in alone.json()["detail"]
    corroborated = {"outcome": "arrested", "corroboration": "identity document"}
    outcome = fred.post(f"/api/alerts/{alert_id}/outcome", json=corroborated)
    assert outcome.status_code == 200
    assert (outcome.json()["outcome"], outcome.json()["outcome_by"]) == ("arrested", "fred")
    assert [(e.data["status"], e.data["outcome"]) for e in updates] == [
        ("confirmed", None),
        ("confirmed", "arrested"),
    ]
    assert [e.actor for e in audit_entries(services, "alert.adjudicate")] == ["olive"]


def test_the_faces_are_served_decrypted_uncached_and_each_view_is_audited(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    response = as_user(app, "fred").get(f"/api/alerts/{alert_id}/media")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    for side in ("probe", "enrolled"):
        assert body[side].startswith("data:image/jpeg;base64,")
        assert base64.b64decode(body[side].split(",", 1)[1])[:2] == b"\xff\xd8"
    (viewed,) = audit_entries(services, "alert.media.viewed")
    assert (viewed.actor, viewed.target) == ("fred", f"alert:{alert_id}")
    assert "base64" not in str(viewed.details)


def test_a_second_operator_must_agree_when_the_policy_asks(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    set_policy(services, Policy(second_confirmer_required=True))
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    olive, otto = as_user(app, "olive"), as_user(app, "otto")
    look_at_faces(olive, alert_id)
    look_at_faces(otto, alert_id)
    first = olive.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": "confirmed"})
    assert first.json()["status"] == "awaiting_second"
    same = olive.post(f"/api/alerts/{alert_id}/second-confirm", json={"agree": True})
    assert same.status_code == 403 and "must be a different operator" in same.json()["detail"]
    second = otto.post(f"/api/alerts/{alert_id}/second-confirm", json={"agree": True})
    assert second.json()["status"] == "confirmed"
    assert second.json()["second_confirmer"] == "otto"


def test_holds_by_authorising_officers(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    arthur = as_user(app, "arthur")
    held = arthur.post(f"/api/alerts/{alert_id}/hold", json={"reason": "court case 9"})
    assert held.json()["on_hold"] is True
    released = arthur.post(f"/api/alerts/{alert_id}/release", json={"note": "case closed"})
    assert released.json()["on_hold"] is False


def test_the_alert_page_is_ready_for_the_live_queue(app: FastAPI) -> None:
    page = as_user(app, "olive").get("/alerts?deployment_id=3")
    assert page.status_code == 200
    for testid in ("alert-queue", "stream-status", "alert-card", "queue-empty"):
        assert f'data-testid="{testid}"' in page.text
    assert 'data-adjudicate="yes"' in page.text and 'data-outcome="no"' in page.text
    assert 'data-deployment="3"' in page.text
    assert '<script src="/static/alerts.js" defer>' in page.text
