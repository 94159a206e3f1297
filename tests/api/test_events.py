"""The in-memory event bus, the health board and the metrics fed from it."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from lfr.events import InMemoryEventBus, topics
from lfr.events.bus import Event
from lfr.events.health import HealthBoard
from lfr.events.metrics import Metrics


def test_subscribers_get_their_topics_and_a_broken_one_hurts_nobody() -> None:
    bus = InMemoryEventBus()
    got: list[str] = []

    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    bus.subscribe(broken)
    subscription = bus.subscribe(lambda e: got.append(e.id), ("alert",))
    bus.publish("alert", {"n": 1}, event_id="a1")
    bus.publish("camera.health", {"n": 2})
    subscription.close()
    bus.publish("alert", {"n": 3}, event_id="a2")
    assert got == ["a1"]
    assert bus.subscribers == 1


def test_replay_after_an_id_and_the_history_bound() -> None:
    bus = InMemoryEventBus(history=4)
    for n in range(5):
        bus.publish("alert", {"n": n}, event_id=f"a{n}")
        bus.publish("other", {"n": n})
    assert bus.replay("a0") is None  # fell out of the history: catch up elsewhere
    replayed = bus.replay("a3", ("alert",))
    assert replayed is not None and [e.id for e in replayed] == ["a4"]
    assert [e.topic for e in bus.recent()] == ["alert", "other", "alert", "other"]
    seqs = [e.seq for e in bus.recent()]
    assert seqs == sorted(seqs)
    with pytest.raises(ValueError):
        InMemoryEventBus(history=0)


def test_publishing_from_many_threads_keeps_every_event_in_order() -> None:
    bus = InMemoryEventBus(history=10_000)
    seen: list[int] = []
    lock = threading.Lock()

    def record(event: Event) -> None:
        with lock:
            seen.append(event.seq)

    bus.subscribe(record)
    threads = [
        threading.Thread(target=lambda: [bus.publish("t", {}) for _ in range(500)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 2001))
    assert [e.seq for e in bus.recent()] == list(range(1, 2001))


def test_the_health_board_keeps_the_latest_of_each_camera() -> None:
    bus = InMemoryEventBus()
    board = HealthBoard()
    board.attach(bus)
    bus.publish(topics.RUN, {"deployment_id": 1, "state": "running"})
    bus.publish(topics.CAMERA_HEALTH, {"deployment_id": 1, "camera": "a", "frames": 1})
    bus.publish(topics.CAMERA_HEALTH, {"deployment_id": 1, "camera": "a", "frames": 9})
    bus.publish(topics.CAMERA_HEALTH, {"deployment_id": 2, "camera": "b", "frames": 4})
    assert [c["frames"] for c in board.cameras(1)] == [9]
    assert len(board.cameras()) == 2 and board.running(1) and not board.running(2)
    bus.publish(topics.RUN, {"deployment_id": 1, "state": "running"})  # a new run starts fresh
    assert board.cameras(1) == []


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


def test_two_apps_never_share_counters() -> None:
    first, second = Metrics(), Metrics()
    first.alerts.labels("1").inc()
    assert 'lfr_alerts_total{deployment="1"}' not in second.render().decode()
