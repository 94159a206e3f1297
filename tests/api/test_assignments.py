"""Need to know over HTTP: an officer reads only the alerts, crops and live stream of the
deployments they are assigned to; a supervisor assigns and unassigns (JSON API and the
deployment page), and every change is audited.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.events import InMemoryEventBus, topics
from tests.api.helpers import LiveServer, SseReader, as_user
from tests.gov.conftest import FIELD, OPERATOR
from tests.gov.factories import add_alert, add_deployment, audit_entries

pytestmark = pytest.mark.backends("sqlite")

STREAM = "/api/alerts/stream"


def _announce(bus: InMemoryEventBus, deployment_id: int, alert_id: str) -> None:
    topics.publish_alert(bus, deployment_id, alert_id, "cam-1")


def test_an_unassigned_officer_gets_no_alert_crop_or_stream_of_another_deployment(
    app: FastAPI, live_server: LiveServer, services: Services, bus: InMemoryEventBus
) -> None:
    ours = add_deployment(services, assigned=(FIELD,))
    other = add_deployment(services, assigned=(OPERATOR,))
    fred = as_user(app, "fred")
    reader = SseReader(live_server.url + STREAM, live_server.token("fred")).start()
    try:
        hidden = add_alert(services, other)
        _announce(bus, other, hidden)
        visible = add_alert(services, ours, seed=2)
        _announce(bus, ours, visible)
        assert reader.next().id == visible  # the other deployment's alert never came
    finally:
        reader.close()

    assert [a["id"] for a in fred.get("/api/alerts").json()] == [visible]
    for path in (f"/api/alerts/{hidden}", f"/api/alerts/{hidden}/media"):
        response = fred.get(path)
        assert response.status_code == 404 and response.json()["detail"].startswith("no alert")
    for path in (f"/api/alerts?deployment_id={other}", f"{STREAM}?deployment_id={other}"):
        response = fred.get(path)
        assert response.status_code == 403
        assert "fred is not assigned to deployment" in response.json()["detail"]
    assert fred.get(f"/api/alerts/{visible}/media").status_code == 200

    olive = as_user(app, "olive")  # assigned to the other deployment
    assert olive.get(f"/api/alerts/{hidden}/media").status_code == 200
    for reader_name in ("arthur", "oscar"):  # a supervisor and oversight read every deployment
        ids = {a["id"] for a in as_user(app, reader_name).get("/api/alerts").json()}
        assert ids == {hidden, visible}


def test_a_supervisor_assigns_and_unassigns_an_officer_and_it_is_audited(
    app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, assigned=())
    alert_id = add_alert(services, deployment_id)
    base = f"/api/deployments/{deployment_id}/assignments"
    supervisor, fred = as_user(app, "arthur"), as_user(app, "fred")
    assert fred.get(f"/api/alerts/{alert_id}").status_code == 404

    assigned = supervisor.post(base, json={"username": "fred"})
    assert assigned.status_code == 201
    assert (assigned.json()["username"], assigned.json()["role"]) == ("fred", "field_officer")
    assert fred.get(f"/api/alerts/{alert_id}").status_code == 200
    assert [a["username"] for a in fred.get(base).json()] == ["fred"]
    refused = fred.post(base, json={"username": "fred"})
    assert refused.status_code == 403 and "may not deployment.assign" in refused.json()["detail"]
    not_an_officer = supervisor.post(base, json={"username": "oscar"})
    assert not_an_officer.status_code == 400
    assert "only operators and field officers" in not_an_officer.json()["detail"]

    assert supervisor.delete(f"{base}/fred").status_code == 204
    assert fred.get(f"/api/alerts/{alert_id}").status_code == 404
    assert supervisor.delete(f"{base}/fred").status_code == 404
    changes = [
        (e.action, e.actor, e.details["user"])
        for e in audit_entries(services)
        if e.action in ("deployment.assign", "deployment.unassign")
    ]
    assert changes == [
        ("deployment.assign", "arthur", "fred"),
        ("deployment.unassign", "arthur", "fred"),
    ]


def test_the_deployment_page_lists_the_officers_and_offers_the_form_to_supervisors(
    app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, assigned=(FIELD,))
    page = as_user(app, "arthur").get(f"/deployments/{deployment_id}")
    assert 'data-testid="assigned-officer" data-username="fred"' in page.text
    assert 'data-testid="assign-form"' in page.text and 'data-unassign="fred"' in page.text
    officer_view = as_user(app, "fred").get(f"/deployments/{deployment_id}")
    assert 'data-username="fred"' in officer_view.text
    assert 'data-testid="assign-form"' not in officer_view.text
