"""``/metrics``: the Prometheus text of what the event bus carried."""

from __future__ import annotations

from fastapi.testclient import TestClient

from lfr.events import InMemoryEventBus, topics


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
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for line in (
        'lfr_alerts_total{deployment="7"} 1.0',
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
