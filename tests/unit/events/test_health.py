"""The health board: the latest state of each camera, fed from the bus."""

from __future__ import annotations

from lfr.events import InMemoryEventBus, topics
from lfr.events.health import HealthBoard, camera_warning


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


def test_a_camera_dropping_over_2_percent_of_its_frames_is_warned_of() -> None:
    bus = InMemoryEventBus()
    board = HealthBoard()
    board.attach(bus)
    health = {"deployment_id": 1, "state": "running", "frames_read": 8952, "error": None}
    bus.publish(topics.CAMERA_HEALTH, {**health, "camera": "bad", "frames_dropped": 891})
    bus.publish(topics.CAMERA_HEALTH, {**health, "camera": "good", "frames_dropped": 179})
    warnings = {c["camera"]: c["warning"] for c in board.cameras(1)}
    assert warnings["good"] is None  # 2.0%: within what a live camera may drop
    assert warnings["bad"] is not None and "891 of 8,952 frames dropped (10.0%" in warnings["bad"]


def test_a_camera_in_error_is_warned_of() -> None:
    warning = camera_warning({"state": "error", "error": "stream lost", "frames_read": 0})
    assert warning == "camera fault: stream lost"
