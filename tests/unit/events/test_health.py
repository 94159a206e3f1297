"""The health board: the latest state of each camera, fed from the bus."""

from __future__ import annotations

from lfr.events import InMemoryEventBus, topics
from lfr.events.health import HealthBoard


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
