"""What a node sends up the bus (alerts, snapshot reports, counts), from any thread, kept in
memory until JetStream has stored it: with the link down a message waits and is sent again
once the link is back, under the same ``Nats-Msg-Id`` so a copy is dropped by the server.
Nothing here touches the disk.

Bounded (``capacity`` messages), so a long outage cannot exhaust the node's memory: on
overflow the oldest counts go first (they are cumulative: the next one supersedes them); alerts
and reports (the messages with an id) are never dropped to make room, and when they alone fill
it a new one is refused, counted in ``refused`` and logged by subject only. What waits here is
what goes on the wire: an alert's crops are sealed with the deployment's key
(``lfr.edge.wire.alerts``), so no face is held in clear."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from nats.js import JetStreamContext

from lfr.edge.wire.mac import MAC_HEADER

log = logging.getLogger(__name__)

RETRY_EVERY_S = 1.0
PUBLISH_TIMEOUT_S = 5.0
CAPACITY = 10_000
"""Messages held at most: about 2.7 hours of counts of 10 cameras every 10 s, or 10,000
alerts (a few MB each at most with their sealed crops)."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    subject: str
    payload: bytes
    msg_id: str | None = None
    """``Nats-Msg-Id``: JetStream keeps one message per id (alerts, reports)."""
    mac: str = ""
    """The node's proof of origin (``lfr.edge.wire.mac``), sent as the ``Lfr-Mac`` header."""

    def headers(self) -> dict[str, str] | None:
        headers = {"Nats-Msg-Id": self.msg_id} if self.msg_id else {}
        if self.mac:
            headers[MAC_HEADER] = self.mac
        return headers or None

    @property
    def droppable(self) -> bool:
        """Counts (no id): a later one carries everything this one did."""
        return self.msg_id is None


class Outbox:
    """Fed from camera threads (``put``), drained by ``send_all`` on the link's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int = CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"an outbox holds at least one message, not {capacity}")
        self._loop = loop
        self._capacity = capacity
        self._queue: deque[Outgoing] = deque()
        self._ready = asyncio.Event()
        self.dropped = 0
        """Counts dropped to make room (superseded by later counts)."""
        self.refused = 0
        """Alerts and reports refused because alerts and reports alone filled the outbox."""

    def put(self, message: Outgoing) -> None:
        """Thread-safe."""
        self._loop.call_soon_threadsafe(self._add, message)

    def pending(self) -> int:
        return len(self._queue)

    def _add(self, message: Outgoing) -> None:
        if len(self._queue) >= self._capacity and not self._make_room(message):
            return
        self._queue.append(message)
        self._ready.set()

    def _make_room(self, message: Outgoing) -> bool:
        """Drop the oldest counts for ``message``; False when ``message`` is turned away."""
        oldest = next((m for m in self._queue if m.droppable), None)
        if oldest is not None:
            self._queue.remove(oldest)
            self.dropped += 1
            return True
        if message.droppable:
            self.dropped += 1
            return False
        self.refused += 1
        log.warning(
            "outbox full (%d alerts and reports waiting): refused a message for %s (%d refused)",
            len(self._queue),
            message.subject,
            self.refused,
        )
        return False

    async def _next(self) -> Outgoing | None:
        if not self._queue:
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), RETRY_EVERY_S)
            except TimeoutError:
                return None
        return self._queue.popleft() if self._queue else None

    async def send_all(self, js: JetStreamContext, stop: asyncio.Event) -> None:
        """Until ``stop`` is set and everything queued was stored."""
        while not (stop.is_set() and not self._queue):
            message = await self._next()
            if message is not None:
                await _send(js, message, stop)

    async def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued so far was sent; False after ``timeout_s``."""
        deadline = self._loop.time() + timeout_s
        while self._queue and self._loop.time() < deadline:
            await asyncio.sleep(0.05)
        return not self._queue

    def held(self) -> list[Outgoing]:
        """What waits, oldest first (for inspection)."""
        return list(self._queue)


async def _send(js: JetStreamContext, message: Outgoing, stop: asyncio.Event) -> None:
    headers = message.headers()
    while True:
        try:
            await js.publish(
                message.subject, message.payload, timeout=PUBLISH_TIMEOUT_S, headers=headers
            )
            return
        except Exception as exc:  # the link is down or the server busy: the same, again
            log.info("not sent on %s yet (%s); trying again", message.subject, type(exc).__name__)
            if stop.is_set():
                log.warning("stopping with a message for %s unsent", message.subject)
                return
            await asyncio.sleep(RETRY_EVERY_S)
