"""The in-memory event bus: topics, replay, history and order across threads."""

from __future__ import annotations

import threading

import pytest

from lfr.events import InMemoryEventBus
from lfr.events.bus import Event


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
