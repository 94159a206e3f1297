"""The bus: publish an event on a topic, subscribe to topics, replay what came after an id.

Handlers run on the publisher's thread (a camera thread, a request thread), so they must be
quick: hand the event over (to an asyncio queue, a counter) and return. A handler that raises
is logged and never reaches the publisher - a broken subscriber must not stop a camera.

The in-memory bus keeps a bounded history so a client that reconnects can ask for the events
after the last one it saw. Ids are the publisher's (an alert's id is the engine's stable id),
or a sequence number when the publisher has none.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    id: str
    data: Mapping[str, Any]
    seq: int
    """Publication order on this bus."""
    published_at: float = field(default_factory=time.time)
    """Seconds since the epoch (wall clock), for delivery latency."""


Handler = Callable[[Event], None]


class Subscription(Protocol):
    def close(self) -> None: ...


class EventBus(Protocol):
    def publish(
        self, topic: str, data: Mapping[str, Any], event_id: str | None = None
    ) -> Event: ...

    def subscribe(self, handler: Handler, topics: Collection[str] | None = None) -> Subscription:
        """Call ``handler`` for every later event on ``topics`` (all topics when None)."""
        ...

    def replay(self, after_id: str, topics: Collection[str] | None = None) -> list[Event] | None:
        """The events published after the one with ``after_id``, in order; None when that id is
        no longer (or never was) in the history - the caller must then catch up elsewhere."""
        ...

    def recent(self, topics: Collection[str] | None = None) -> list[Event]:
        """What the history still holds, oldest first."""
        ...


class _Subscription:
    def __init__(self, bus: InMemoryEventBus, key: int) -> None:
        self._bus = bus
        self._key = key

    def close(self) -> None:
        self._bus._unsubscribe(self._key)


class InMemoryEventBus:
    """Thread-safe, in one process; keeps the last ``history`` events."""

    def __init__(self, history: int = 2000) -> None:
        if history < 1:
            raise ValueError("history must be at least 1")
        self._lock = threading.Lock()
        self._history: deque[Event] = deque(maxlen=history)
        self._handlers: dict[int, tuple[Handler, frozenset[str] | None]] = {}
        self._keys = itertools.count(1)
        self._seq = itertools.count(1)

    def publish(self, topic: str, data: Mapping[str, Any], event_id: str | None = None) -> Event:
        with self._lock:
            seq = next(self._seq)
            event = Event(topic, event_id or str(seq), dict(data), seq)
            self._history.append(event)
            handlers = [h for h, topics in self._handlers.values() if _wants(topics, topic)]
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log.exception("event handler failed on %s %s", topic, event.id)
        return event

    def subscribe(self, handler: Handler, topics: Collection[str] | None = None) -> Subscription:
        with self._lock:
            key = next(self._keys)
            self._handlers[key] = (handler, frozenset(topics) if topics is not None else None)
        return _Subscription(self, key)

    def replay(self, after_id: str, topics: Collection[str] | None = None) -> list[Event] | None:
        wanted = frozenset(topics) if topics is not None else None
        with self._lock:
            events = list(self._history)
        for index in range(len(events) - 1, -1, -1):
            if events[index].id == after_id and _wants(wanted, events[index].topic):
                return [e for e in events[index + 1 :] if _wants(wanted, e.topic)]
        return None

    def recent(self, topics: Collection[str] | None = None) -> list[Event]:
        wanted = frozenset(topics) if topics is not None else None
        with self._lock:
            return [e for e in self._history if _wants(wanted, e.topic)]

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._handlers)

    def _unsubscribe(self, key: int) -> None:
        with self._lock:
            self._handlers.pop(key, None)


def _wants(topics: frozenset[str] | None, topic: str) -> bool:
    return topics is None or topic in topics
