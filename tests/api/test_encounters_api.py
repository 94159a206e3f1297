"""Encounters and blind two-person verification through the API: refusals come back as 422
with the rule's source in plain words, and write nothing.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.events import InMemoryEventBus
from lfr.governance.accounts.users import set_training
from lfr.governance.law.policy import Policy
from lfr.store.tables import Encounter
from tests.api.helpers import as_user, look_at_faces, raise_alert
from tests.gov.conftest import ADMIN
from tests.gov.factories import add_deployment, audit_count, count, set_policy

pytestmark = pytest.mark.backends("sqlite")

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def _stop(minutes: int, **changes: object) -> dict[str, object]:
    return {
        "stopped": True,
        "started_at": START.isoformat(),
        "ended_at": (START + timedelta(minutes=minutes)).isoformat(),
        "identity_check": "identity_document",
        "outcome": "engaged",
        **changes,
    }


def test_a_field_officer_records_encounters_and_refusals_name_their_source(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    olive, fred = as_user(app, "olive"), as_user(app, "fred")
    look_at_faces(olive, alert_id)
    assert olive.post(
        f"/api/alerts/{alert_id}/adjudicate", json={"decision": "confirmed"}
    ).is_success

    before = count(services, Encounter), audit_count(services)
    arrest = _stop(5, alert_id=alert_id, outcome="arrested", identity_check="none")
    refused = fred.post("/api/encounters", json=arrest)
    assert refused.status_code == 422 and "Detroit Police" in refused.json()["detail"]
    too_long = fred.post("/api/encounters", json=_stop(40, alert_id=alert_id))
    assert too_long.status_code == 422
    assert "40 minutes, longer than 10" in too_long.json()["detail"]
    assert "R (Thompson) v Commissioner" in too_long.json()["detail"]
    assert (count(services, Encounter), audit_count(services)) == before

    recorded = fred.post("/api/encounters", json=_stop(6, alert_id=alert_id, outcome="arrested"))
    assert recorded.status_code == 201
    assert (recorded.json()["minutes"], recorded.json()["officer"]) == (6.0, "fred")
    no_alert = _stop(3, deployment_id=deployment_id, reason="covering their face")
    assert fred.post("/api/encounters", json=no_alert).status_code == 201
    listed = olive.get("/api/encounters", params={"deployment_id": deployment_id}).json()
    assert [(e["alert_id"], e["reason"]) for e in listed] == [
        (alert_id, ""),
        (None, "covering their face"),
    ]
    assert olive.post("/api/encounters", json=no_alert).status_code == 403


def test_the_second_verifier_does_not_see_the_first_verdict_through_the_api(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    set_policy(services, Policy(profile="eu-ai-act"))
    far = datetime.now(UTC) + timedelta(days=30)
    for operator in ("olive", "otto"):
        set_training(services, ADMIN, operator, far)
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    olive, otto = as_user(app, "olive"), as_user(app, "otto")
    look_at_faces(olive, alert_id)
    first = olive.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": "false_alert"})
    assert first.json()["status"] == "awaiting_second"

    seen = otto.get(f"/api/alerts/{alert_id}").json()
    assert (seen["adjudicated_by"], seen["adjudicated_at"], seen["blind_review"]) == (
        None,
        None,
        True,
    )
    look_at_faces(otto, alert_id)
    second = otto.post(f"/api/alerts/{alert_id}/second-confirm", json={"agree": True})
    assert (second.json()["status"], second.json()["adjudicated_by"]) == ("false_alert", "olive")
