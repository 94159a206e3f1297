"""``/metrics``: the Prometheus text of what the event bus carried, for the scraper holding the
scrape token or a member of staff; never for a passer-by, and alerts never by deployment.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.events import InMemoryEventBus, topics
from tests.api.conftest import SCRAPE_TOKEN
from tests.api.helpers import as_user, bearer

pytestmark = pytest.mark.backends("sqlite")

SCRAPER = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}


def test_metrics_count_what_the_bus_carries(client: TestClient) -> None:
    bus: InMemoryEventBus = client.app.state.lfr.bus  # type: ignore[attr-defined]
    topics.publish_alert(bus, 7, "alert-1", "cam", engine_latency_s=0.12, store_s=0.01)
    bus.publish(
        topics.CAMERA_HEALTH,
        {
            "deployment_id": 7,
            "camera": "cam",
            "state": "running",
            "frames_delta": 25,
            "dropped_delta": 2,
            "fps": 24.5,
            "reconnects": 1,
            "last_frame_ts": 1700000000.0,
        },
    )
    bus.publish(
        topics.ENGINE_STATS,
        {"deployment_id": 7, "face_detections": 3, "detect_seconds": [0.01, 0.02]},
    )
    bus.publish(topics.RUN, {"deployment_id": 7, "state": "stopped", "tracks": 2})
    response = client.get("/metrics", headers=SCRAPER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for line in (
        "lfr_alerts_total 1.0",
        'lfr_frames_total{camera="cam",deployment="7"} 25.0',
        'lfr_frames_dropped_total{camera="cam",deployment="7"} 2.0',
        'lfr_camera_fps{camera="cam",deployment="7"} 24.5',
        'lfr_camera_reconnects{camera="cam",deployment="7"} 1.0',
        'lfr_camera_up{camera="cam",deployment="7"} 1.0',
        'lfr_face_detections_total{deployment="7"} 3.0',
        'lfr_faces_seen_total{deployment="7"} 2.0',
        'lfr_stage_seconds_count{stage="alert"} 1.0',
        'lfr_stage_seconds_count{stage="store"} 1.0',
        'lfr_stage_seconds_count{stage="detect"} 2.0',
        "lfr_alert_stream_clients 0.0",
        "lfr_alert_delivery_seconds_count 0.0",
    ):
        assert line in text, line
    assert "lfr_camera_last_frame_timestamp_seconds" in text


def test_only_the_scrape_token_or_a_staff_login_reads_the_metrics(app: FastAPI) -> None:
    passer_by = TestClient(app)
    for headers in (
        {},
        {"Authorization": "Bearer not-the-scrape-token"},
        {"Authorization": f"Bearer {SCRAPE_TOKEN[:-1]}"},
        {"Authorization": f"Basic {SCRAPE_TOKEN}"},
    ):
        response = passer_by.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert set(response.json()) == {"detail"} and "lfr_" not in response.text
    assert passer_by.get("/metrics", headers=SCRAPER).status_code == 200
    for username in ("fred", "wendy", "ada"):
        page_session = as_user(app, username)
        assert page_session.get("/metrics").status_code == 200, username
        machine = TestClient(app)
        assert machine.get("/metrics", headers=bearer(machine, username)).status_code == 200


def test_alerts_are_counted_in_all_never_by_deployment(client: TestClient) -> None:
    bus: InMemoryEventBus = client.app.state.lfr.bus  # type: ignore[attr-defined]
    for deployment_id, alert_id in ((7, "a-1"), (7, "a-2"), (8, "a-3")):
        topics.publish_alert(bus, deployment_id, alert_id, "cam")
    text = client.get("/metrics", headers=SCRAPER).text
    assert "lfr_alerts_total 3.0" in text
    alert_lines = [line for line in text.splitlines() if line.startswith("lfr_alerts")]
    assert alert_lines and not any("deployment" in line for line in alert_lines), alert_lines


def test_each_nodes_outbox_losses_are_a_gauge(client: TestClient) -> None:
    bus: InMemoryEventBus = client.app.state.lfr.bus  # type: ignore[attr-defined]
    for node, dropped, refused in (("node1", 40, 3), ("node2", 0, 0), ("node1", 41, 3)):
        bus.publish(
            topics.NODE,
            {"node": node, "sent_at": 1.0, "outbox_dropped": dropped, "outbox_refused": refused},
        )
    text = client.get("/metrics", headers=SCRAPER).text
    for line in (
        'lfr_edge_outbox_dropped{node="node1"} 41.0',
        'lfr_edge_outbox_refused{node="node1"} 3.0',
        'lfr_edge_outbox_refused{node="node2"} 0.0',
    ):
        assert line in text, line
