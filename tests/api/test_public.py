"""The transparency page and the signage poster: no login, nobody named.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.audit.heads import publish_head
from lfr.events import InMemoryEventBus
from tests.api.helpers import FakeCameras, as_user, ended_with_alerts, look_at_faces
from tests.gov.factories import add_deployment, audit_entries

pytestmark = pytest.mark.backends("sqlite")


def test_the_public_page_lists_deployments_and_records_without_names(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    ended = ended_with_alerts(services, bus, app)
    planned = add_deployment(services, state="authorised")
    page = TestClient(app).get("/public")
    assert page.status_code == 200
    text = page.text
    assert f'data-testid="public-record-row" data-deployment-id="{ended}"' in text
    assert f'data-testid="public-deployment-row" data-deployment-id="{planned}"' in text
    assert "deleted at once" in text and "How to complain" in text
    assert "False alerts per face seen" in text and "False alerts per alert" in text
    for secret in ("Jane Q Wanted", "WL-0001", "rtsp://", "custody record", "warrant"):
        assert secret not in text
    records = TestClient(app).get("/api/public/records").json()
    (record,) = [r for r in records if r["deployment_id"] == ended]
    assert (record["alerts"], record["true_alerts"], record["unreviewed"]) == (2, 1, 1)
    assert record["false_alert_rate_per_alert"] == 0.0


def test_the_poster_prints_where_when_and_a_qr_code(app: FastAPI, services: Services) -> None:
    deployment_id = add_deployment(services, state="authorised")
    response = TestClient(app).get(f"/public/deployments/{deployment_id}/poster")
    assert response.status_code == 200
    text = response.text
    assert 'data-testid="poster"' in text and "High Street" in text
    assert 'data-testid="poster-qr"' in text and '<svg role="img"' in text
    assert f"http://testserver/public#deployment-{deployment_id}" in text
    assert "deleted at once" in text
    draft = add_deployment(services, state="draft")
    assert TestClient(app).get(f"/public/deployments/{draft}/poster").status_code == 404


def test_the_poster_uses_the_configured_public_url(app: FastAPI, services: Services) -> None:
    from dataclasses import replace

    state = app.state.lfr
    app.state.lfr = replace(state, config=replace(state.config, public_url="https://lfr.example"))
    deployment_id = add_deployment(services, state="live")
    text = TestClient(app).get(f"/public/deployments/{deployment_id}/poster").text
    assert f"https://lfr.example/public#deployment-{deployment_id}" in text


def test_the_public_page_and_each_record_publish_the_audit_head(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    ended = ended_with_alerts(services, bus, app)
    with services.transaction() as session:
        head = publish_head(session, services.data_dir, services.clock())
    assert head is not None
    page = TestClient(app).get("/public").text
    assert 'data-testid="public-audit-head"' in page and f"<code>{head.hash}</code>" in page
    (record,) = [
        r for r in TestClient(app).get("/api/public/records").json() if r["deployment_id"] == ended
    ]
    hashes = {e.hash for e in audit_entries(services)}
    assert record["audit_head"] in hashes


def test_a_review_after_the_end_shows_as_a_revision_with_its_time_and_the_not_reviewed_column(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    ended = ended_with_alerts(services, bus, app)  # 2 alerts: 1 confirmed, 1 not reviewed
    page = TestClient(app).get("/public").text
    assert "<th>Not reviewed</th>" in page
    assert 'data-testid="public-unreviewed">1<' in page
    assert 'data-testid="public-revision"' not in page

    (pending,) = [
        a["id"] for a in as_user(app, "olive").get("/api/alerts").json() if a["status"] == "pending"
    ]
    olive = as_user(app, "olive")
    look_at_faces(olive, pending)
    assert (
        olive.post(f"/api/alerts/{pending}/adjudicate", json={"decision": "false_alert"})
    ).status_code == 200
    page = TestClient(app).get("/public").text
    assert 'data-testid="public-unreviewed">0<' in page
    assert "false alerts 0 → 1" in page and "not reviewed 1 → 0" in page
    (record,) = [
        r for r in TestClient(app).get("/api/public/records").json() if r["deployment_id"] == ended
    ]
    (revision,) = record["revisions"]
    assert revision["changes"]["false_alerts"] == [0, 1] and revision["revised_at"]
    assert record["true_alerts"] + record["false_alerts"] + record["unreviewed"] == 2
    exported = as_user(app, "oscar").get("/api/records/export", params={"format": "csv"})
    (row,) = [
        r for r in csv.DictReader(io.StringIO(exported.text)) if r["deployment_id"] == str(ended)
    ]
    assert (row["status"], row["revised_at"]) == ("ended", revision["revised_at"])


def test_a_cancelled_deployment_has_a_record_for_the_public_and_oversight(
    app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state="authorised")
    arthur = as_user(app, "arthur")
    cancelled = arthur.post(
        f"/api/deployments/{deployment_id}/cancel", json={"reason": "march re-routed"}
    )
    assert cancelled.status_code == 200, cancelled.text
    page = TestClient(app).get("/public").text
    assert "Cancelled before it started: march re-routed" in page
    oversight = as_user(app, "oscar").get("/oversight").text
    assert 'data-testid="oversight-cancelled">cancelled: march re-routed' in oversight
    assert "no record yet" not in oversight
    staff_page = arthur.get(f"/deployments/{deployment_id}").text
    assert 'data-testid="record-cancelled">Cancelled before it started: march re-routed' in (
        staff_page
    )


def test_end_stops_the_cameras_before_it_publishes_the_record(
    app: FastAPI, services: Services, cameras: FakeCameras
) -> None:
    deployment_id = add_deployment(services, state="live")
    olive = as_user(app, "olive")
    ended = olive.post(f"/api/deployments/{deployment_id}/end", json={"reason": "planned end"})
    assert ended.status_code == 200, ended.text
    assert cameras.stopped == [deployment_id]
    refused = as_user(app, "fred").post(
        f"/api/deployments/{deployment_id}/end", json={"reason": "x"}
    )
    assert refused.status_code == 403 and cameras.stopped == [deployment_id]
