"""The deployment and planning pages offer only what the viewer can do now: every go-live
condition with a tick or a cross, Start disabled until all are ticked, no signage form once
signage is confirmed, End and Cancel refused without a reason (the dialog warns of alerts still
unreviewed), camera warnings when frames are dropped. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from lfr.access.services import Services
from lfr.events import InMemoryEventBus, topics
from lfr.governance.states import DeploymentState
from tests.api.helpers import as_user, raise_alert
from tests.api.page_parsing import by_testid, unlabelled_fields
from tests.gov.factories import add_deployment, add_watchlist


def _conditions(html: str) -> dict[str | None, str | None]:
    return {c["data-condition"]: c["data-met"] for c in by_testid(html, "readiness-condition")}


def test_start_is_disabled_until_every_condition_is_ticked(
    app: FastAPI, services: Services
) -> None:
    deployment_id = add_deployment(services, state=DeploymentState.DRAFT.value)
    olive, beth = as_user(app, "olive"), as_user(app, "beth")
    page = olive.get(f"/deployments/{deployment_id}").text
    assert _conditions(page) == {
        "authorised": "no",
        "signage": "no",
        "plan": "yes",
        "window": "yes",
        "cameras": "yes",
        "watchlist": "yes",
        "documents": "yes",
        "children": "yes",
    }
    [start] = by_testid(page, "start-button")
    assert "disabled" in start
    assert by_testid(page, "signage-reference")

    assert beth.post(f"/api/deployments/{deployment_id}/authorise", json={}).status_code == 200
    signed = olive.post(f"/api/deployments/{deployment_id}/signage", json={"reference": "SIGN-7"})
    assert signed.status_code == 200, signed.text

    page = olive.get(f"/deployments/{deployment_id}").text
    assert set(_conditions(page).values()) == {"yes"}
    [start] = by_testid(page, "start-button")
    assert "disabled" not in start
    assert by_testid(page, "signage-reference") == []  # confirmed: no form, who/when/what shown
    assert "SIGN-7, confirmed by olive" in page


def test_end_and_cancel_are_refused_without_a_reason(app: FastAPI, services: Services) -> None:
    olive = as_user(app, "olive")
    live = add_deployment(services, state=DeploymentState.LIVE.value)
    draft = add_deployment(services, state=DeploymentState.DRAFT.value)
    for deployment_id, action in ((live, "end"), (draft, "cancel")):
        for body in ({}, {"reason": "   "}):
            refused = olive.post(f"/api/deployments/{deployment_id}/{action}", json=body)
            assert refused.status_code == 422, refused.text
            assert refused.json()["detail"].startswith("give a reason for")
        still = olive.get(f"/api/deployments/{deployment_id}").json()["state"]
        assert still in ("live", "draft")
    ended = olive.post(f"/api/deployments/{live}/end", json={"reason": "operation complete"})
    assert ended.status_code == 200 and ended.json()["end_reason"] == "operation complete"
    cancelled = olive.post(f"/api/deployments/{draft}/cancel", json={"reason": "rain"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_the_end_dialog_warns_of_alerts_still_unreviewed(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state=DeploymentState.LIVE.value)
    raise_alert(services, bus, deployment_id)
    raise_alert(services, bus, deployment_id)
    page = as_user(app, "olive").get(f"/deployments/{deployment_id}").text
    [dialog] = by_testid(page, "end-dialog")
    assert dialog["aria-labelledby"] == "end-dialog-title"
    [warning] = by_testid(page, "end-unreviewed")
    assert warning["data-count"] == "2"
    assert "2 alerts are still waiting for review" in page
    [reason] = by_testid(page, "end-reason")
    assert "required" in reason
    [opener] = by_testid(page, "end-button")
    assert opener["data-opens"] == "end-dialog" and opener.get("type") == "button"


def test_cancel_is_named_for_what_it_cancels(app: FastAPI, services: Services) -> None:
    deployment_id = add_deployment(services, state=DeploymentState.DRAFT.value)
    page = as_user(app, "olive").get(f"/deployments/{deployment_id}").text
    assert "Cancel deployment" in page and ">Cancel<" not in page
    assert by_testid(page, "cancel-dialog") and "required" in by_testid(page, "cancel-reason")[0]


def _health(camera: str, read: int, dropped: int) -> dict[str, Any]:
    return {
        "camera": camera,
        "state": "running",
        "frames_read": read,
        "frames": read - dropped,
        "frames_dropped": dropped,
        "reconnects": 0,
        "fps": 24.0,
        "last_frame_at": None,
        "error": None,
        "source": "rtsp://camera/1",
    }


def test_a_camera_dropping_frames_is_warned_of(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state=DeploymentState.LIVE.value)
    for health in (_health("east", 8952, 891), _health("west", 8952, 100)):
        bus.publish(topics.CAMERA_HEALTH, {"deployment_id": deployment_id, **health})
    cameras = as_user(app, "olive").get(f"/api/cameras?deployment_id={deployment_id}").json()
    warnings = {c["camera"]: c["warning"] for c in cameras}
    assert warnings["west"] is None  # 1.1% dropped
    assert "891 of 8,952 frames dropped" in warnings["east"]
    page = as_user(app, "olive").get(f"/deployments/{deployment_id}").text
    assert by_testid(page, "camera-warnings")[0]["role"] == "alert"


def test_an_operator_plans_with_a_watchlist_chosen_from_a_list(
    app: FastAPI, services: Services
) -> None:
    add_watchlist(services, name="Market list", entries=2)
    page = as_user(app, "olive").get("/deployments/new").text
    [select] = by_testid(page, "plan-watchlist")
    assert "type" not in select  # a <select>, not a number box
    assert "Market list (2 active entries)" in page
    assert by_testid(page, "plan-error")[0]["role"] == "alert"  # refusals shown by the form
    assert unlabelled_fields(page) == []
