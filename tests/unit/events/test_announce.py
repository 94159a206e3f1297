"""One owner of "stored, then announced": the same event from an in-process camera or a node."""

from __future__ import annotations

import time

import numpy as np

from lfr.domain import Alert, Subject
from lfr.events import InMemoryEventBus, topics

CROP = np.zeros((4, 4, 3), np.uint8)


def _alert(raised_at: float) -> Alert:
    return Alert(
        id="a-1",
        subject=Subject("ref-1", "A. Person"),
        distance=0.4,
        score=0.6,
        threshold=0.5,
        camera="north",
        time_s=1.0,
        frame=25,
        track=1,
        probe_crop=CROP,
        enrolled_crop=CROP,
        enrolled_image="a.jpg",
        raised_at=raised_at,
        latency_s=0.123456,
    )


def test_an_alert_raised_on_this_clock_is_announced_with_its_store_time() -> None:
    bus = InMemoryEventBus()
    event = topics.announce_stored(bus, 7, _alert(time.monotonic() - 0.5))
    assert event.topic == topics.ALERT and event.id == "a-1"
    assert event.data["deployment_id"] == 7 and event.data["camera"] == "north"
    assert event.data["engine_latency_s"] == 0.1235
    assert 0.5 <= event.data["store_s"] < 3600  # since it was raised; no speed bound


def test_a_raised_time_from_another_clock_gives_no_store_time() -> None:
    bus = InMemoryEventBus()
    for raised_at in (0.0, time.monotonic() + 60.0, time.monotonic() - 7200.0):
        event = topics.announce_stored(bus, 7, _alert(raised_at))
        assert "store_s" not in event.data and event.data["engine_latency_s"] == 0.1235
