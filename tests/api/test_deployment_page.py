"""The deployment and planning pages offer only what the viewer can do now: every go-live
condition with a tick or a cross, Start disabled until all are ticked, no signage form once
signage is confirmed, End and Cancel refused without a reason (the dialog warns of alerts still
unreviewed), camera warnings when frames are dropped.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.edge.centre.nodes import add_node
from lfr.events import InMemoryEventBus, topics
from lfr.governance.deployments import lifecycle
from lfr.governance.states import DeploymentState
from tests.api.helpers import FakeCameras, FakeEnroller, as_user, raise_alert
from tests.api.page_parsing import by_testid, unlabelled_fields
from tests.gov.conftest import ADMIN, AUTHORISER, OPERATOR
from tests.gov.factories import add_deployment, add_watchlist, audit_count, make_plan

pytestmark = pytest.mark.backends("sqlite")


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


def _ready_on_node1(services: Services, cameras: dict[str, str]) -> int:
    """A deployment with ``cameras`` on node1 (registered here), planned, authorised by
    another officer and signposted: ready to go live."""
    add_node(services, ADMIN, "node1")
    now = services.clock()
    plan = make_plan(
        add_watchlist(services, name="wl-node"),
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
        cameras=cameras,
    )
    deployment_id = lifecycle.plan_deployment(services, OPERATOR, plan)
    lifecycle.authorise(services, AUTHORISER, deployment_id, "intelligence case 41")
    lifecycle.confirm_signage(services, OPERATOR, deployment_id, "SIGN-PHOTO-7")
    return deployment_id


NOT_ON_NATS = "camera cam1 is on node node1, but this control centre is not connected to NATS: {}"


def test_without_nats_a_node_camera_cannot_go_live_and_a_live_one_is_shown_not_running(
    app: FastAPI,
    services: Services,
    bus: InMemoryEventBus,
    web_config: WebConfig,
    cameras: FakeCameras,
) -> None:
    """``lfr serve`` without ``--nats``: going live from the web is refused before anything is
    written; one started elsewhere (the CLI) is shown plainly as not running."""
    deployment_id = _ready_on_node1(services, {"cam1": "rtsp://cam.example/front@node1"})
    no_bus = create_app(
        replace(services, edge_bus=False), bus, web_config, cameras=cameras, enroller=FakeEnroller
    )
    olive = as_user(no_bus, "olive")
    page = olive.get(f"/deployments/{deployment_id}").text
    assert _conditions(page)["nodes"] == "no"
    assert NOT_ON_NATS.format("it cannot run") in page
    entries = audit_count(services)
    refused = olive.post(f"/api/deployments/{deployment_id}/start", json={})
    assert refused.status_code == 409, refused.text
    assert NOT_ON_NATS.format("it cannot run") in refused.json()["detail"]
    assert audit_count(services) == entries
    assert olive.get(f"/api/deployments/{deployment_id}").json()["state"] == "authorised"

    lifecycle.start(services, OPERATOR, deployment_id)  # the CLI: it cannot know
    page = olive.get(f"/deployments/{deployment_id}").text
    assert by_testid(page, "node-cameras-not-running")
    assert NOT_ON_NATS.format("it is not running") in page


def test_a_nodes_refused_alerts_are_shown_to_supervisors_with_its_cameras(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state=DeploymentState.LIVE.value)
    health = {**_health("cam1", 500, 0), "node": "node1", "source": "edge node node1"}
    bus.publish(topics.CAMERA_HEALTH, {"deployment_id": deployment_id, **health})
    beat = {"node": "node1", "sent_at": time.time(), "outbox_dropped": 12, "outbox_refused": 3}
    bus.publish(topics.NODE, beat)
    olive = as_user(app, "olive")
    [camera] = olive.get(f"/api/cameras?deployment_id={deployment_id}").json()
    assert (camera["node_outbox_dropped"], camera["node_outbox_refused"]) == (12, 3)
    assert camera["warning"] == "node1 refused 3 alerts or reports: its outbox was full"


def _public_status(app: FastAPI) -> str:
    """What the public page says of the one announced deployment's status."""
    page = TestClient(app).get("/public").text
    [status] = re.findall(r'data-testid="public-deployment-status">([^<]*)<', page)
    return str(status)


def _live_on_node1(services: Services, cameras: dict[str, str]) -> int:
    deployment_id = _ready_on_node1(services, cameras)
    lifecycle.start(services, OPERATOR, deployment_id)
    return deployment_id


def test_every_camera_of_a_live_deployment_has_a_state_and_the_public_sees_how_many_run(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    cameras = {f"cam{i}": f"rtsp://cam.example/{i}@node1" for i in (1, 2, 3)}
    deployment_id = _live_on_node1(services, cameras)
    assert _public_status(app) == "live, but none of its 3 cameras is running now"

    running = {**_health("cam1", 500, 0), "node": "node1", "source": "edge node node1"}
    failed = {**running, "camera": "cam3", "state": "error", "error": "no such file"}
    for health in (running, failed):
        bus.publish(topics.CAMERA_HEALTH, {"deployment_id": deployment_id, **health})
    bus.publish(topics.NODE, {"node": "node1", "sent_at": time.time()})

    shown = as_user(app, "olive").get(f"/api/cameras?deployment_id={deployment_id}").json()
    assert {c["camera"]: c["state"] for c in shown} == {
        "cam1": "running",
        "cam2": "starting",  # planned, not heard from: shown, never absent
        "cam3": "error",
    }
    assert _public_status(app) == "live now: 1 of 3 cameras running"
    [announced] = TestClient(app).get("/api/public/deployments").json()
    assert (announced["cameras"], announced["cameras_running"]) == (3, 1)
    metrics = as_user(app, "olive").get("/metrics").text
    for camera, state in (("cam1", "running"), ("cam2", "starting"), ("cam3", "error")):
        line = f'lfr_camera_state{{camera="{camera}",deployment="{deployment_id}",state="{state}"}}'
        assert f"{line} 1.0" in metrics, line
    assert f'camera="cam2",deployment="{deployment_id}",state="running"}} 0.0' in metrics

    bus.publish(topics.NODE, {"node": "node1", "sent_at": time.time() - 60})  # gone quiet
    assert _public_status(app) == "live, but none of its 3 cameras is running now"
