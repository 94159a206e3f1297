"""A deployment's life through the API and its pages; the governance refusals as messages.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.governance.law.policy import DEFAULT_PURPOSES
from tests.api.helpers import FakeCameras, as_user
from tests.gov.factories import add_watchlist

pytestmark = pytest.mark.backends("sqlite")


def plan_body(watchlist_id: int, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "name": "Op Lantern",
        "purpose": DEFAULT_PURPOSES[0],
        "location_name": "High Street",
        "latitude": 51.37,
        "longitude": -0.09,
        "area_description": "the station approach",
        "starts_at": (now - timedelta(minutes=10)).isoformat(),
        "ends_at": (now + timedelta(hours=4)).isoformat(),
        "cameras": {"cam1": "rtsp://user:secret@10.0.0.5/stream"},
        "watchlist_id": watchlist_id,
        "threshold": 0.45,
        "dpia_reference": "DPIA-7",
        **changes,
    }


def test_plan_authorise_signage_start_end_with_every_refusal_explained(
    app: FastAPI, services: Services, cameras: FakeCameras
) -> None:
    watchlist_id = add_watchlist(services)
    olive, arthur = as_user(app, "olive"), as_user(app, "arthur")

    planned = olive.post("/api/deployments", json=plan_body(watchlist_id))
    assert planned.status_code == 201, planned.text
    deployment = planned.json()
    deployment_id = deployment["id"]
    assert (deployment["state"], deployment["planner"]) == ("draft", "olive")
    assert deployment["cameras"] == {"cam1": "rtsp://***@10.0.0.5/stream"}

    refused = olive.post(f"/api/deployments/{deployment_id}/start", json={})
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "not authorised by an authorising officer" in detail
    assert "signage not confirmed" in detail
    readiness = olive.get(f"/api/deployments/{deployment_id}/readiness").json()
    assert readiness["ready"] is False and len(readiness["problems"]) == 2

    assert olive.post(f"/api/deployments/{deployment_id}/authorise", json={}).status_code == 403
    ok = arthur.post(f"/api/deployments/{deployment_id}/authorise", json={"note": "case 41"})
    assert ok.status_code == 200 and ok.json()["state"] == "authorised"
    sign = olive.post(f"/api/deployments/{deployment_id}/signage", json={"reference": "SIGN-1"})
    assert sign.status_code == 200 and sign.json()["signage_reference"] == "SIGN-1"
    assert olive.get(f"/api/deployments/{deployment_id}/readiness").json()["ready"] is True

    started = olive.post(f"/api/deployments/{deployment_id}/start", json={})
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["deployment"]["state"] == "live" and body["cameras_started"] is True
    assert len(body["snapshot_digest"]) == 64
    assert cameras.runs == [("olive", deployment_id)]
    schedule = olive.get("/api/public/deployments").json()
    assert [d["state"] for d in schedule if d["deployment_id"] == deployment_id] == ["live"]

    ended = olive.post(f"/api/deployments/{deployment_id}/end", json={"reason": "done"})
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    record = arthur.get(f"/api/records/{deployment_id}").json()
    assert record["watchlist_size"] == 3 and record["alerts"] == 0
    again = olive.post(f"/api/deployments/{deployment_id}/end", json={"reason": "again"})
    assert again.status_code == 409 and "only a live deployment can be ended" in again.text


def test_nobody_authorises_their_own_plan(app: FastAPI, services: Services) -> None:
    watchlist_id = add_watchlist(services)
    arthur = as_user(app, "arthur")
    deployment_id = arthur.post("/api/deployments", json=plan_body(watchlist_id)).json()["id"]
    response = arthur.post(f"/api/deployments/{deployment_id}/authorise", json={})
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"deployment {deployment_id} must be authorised by someone other than its planner (arthur)"
    )
    # The page never offers what can only be refused: the planner is told who must authorise.
    page = arthur.get(f"/deployments/{deployment_id}")
    assert 'data-testid="authorise-button"' not in page.text
    assert 'data-testid="authorise-elsewhere"' in page.text
    other = as_user(app, "beth").get(f"/deployments/{deployment_id}")
    assert 'data-testid="authorise-button"' in other.text


def test_a_plan_outside_the_policy_is_refused_with_its_reasons(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services)
    response = as_user(app, "olive").post(
        "/api/deployments",
        json=plan_body(watchlist_id, threshold=0.9, purpose="a hunch"),
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "purpose 'a hunch' is not permitted" in detail
    assert "threshold 0.9 is looser than the policy's limit 0.5" in detail


def test_an_authorising_officers_start_leaves_the_cameras_to_an_operator(
    app: FastAPI, services: Services, cameras: FakeCameras
) -> None:
    watchlist_id = add_watchlist(services)
    olive, beth = as_user(app, "olive"), as_user(app, "beth")
    deployment_id = olive.post("/api/deployments", json=plan_body(watchlist_id)).json()["id"]
    beth.post(f"/api/deployments/{deployment_id}/authorise", json={})
    beth.post(f"/api/deployments/{deployment_id}/signage", json={"reference": "S"})
    started = beth.post(f"/api/deployments/{deployment_id}/start", json={}).json()
    assert started["cameras_started"] is False
    assert started["message"] == "live; an operator must now run the cameras"
    assert cameras.runs == []
    run = olive.post(f"/api/deployments/{deployment_id}/run")
    assert run.status_code == 200 and cameras.runs == [("olive", deployment_id)]


def test_the_supervisor_pages_show_the_next_actions(app: FastAPI, services: Services) -> None:
    watchlist_id = add_watchlist(services)
    olive = as_user(app, "olive")
    new = olive.get("/deployments/new")
    assert new.status_code == 200 and 'data-testid="plan-form"' in new.text
    deployment_id = olive.post("/api/deployments", json=plan_body(watchlist_id)).json()["id"]
    listing = olive.get("/deployments")
    assert f'data-testid="deployment-row" data-deployment-id="{deployment_id}"' in listing.text
    page = olive.get(f"/deployments/{deployment_id}")
    for testid in ("signage-button", "start-button", "cancel-button", "readiness-problem"):
        assert f'data-testid="{testid}"' in page.text
    assert 'data-testid="authorise-button"' not in page.text  # operators cannot authorise


def test_camera_sources_outside_the_rules_are_refused_with_422(
    app: FastAPI, services: Services
) -> None:
    watchlist_id = add_watchlist(services)
    olive = as_user(app, "olive")
    for cameras, reason in [
        ({"cam1": "/etc/passwd"}, "must be inside the media folder"),
        ({"cam1": "file:///etc/passwd"}, "source scheme 'file' is not allowed"),
        ({f"c{i}": "demo" for i in range(33)}, "33 cameras is more than the policy's limit"),
    ]:
        refused = olive.post("/api/deployments", json=plan_body(watchlist_id, cameras=cameras))
        assert refused.status_code == 422 and reason in refused.json()["detail"], refused.text
    flood = olive.post(
        "/api/deployments",
        json=plan_body(watchlist_id, cameras={f"c{i}": "demo" for i in range(1001)}),
    )
    assert flood.status_code == 422  # refused by the schema before any policy is read
    assert olive.get("/api/deployments").json() == []
