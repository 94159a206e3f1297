"""A cap on live alert streams, per account and in all.

Every open stream costs the server work at each alert and keep-alive, so a few hundred idle
clients slow everyone else's requests. A stream takes a slot before its response starts and
gives it back when the response ends, however it ends (finished, client gone, server stopping).
Over the cap the request is refused at once with Retry-After: 429 when this account holds too
many, 503 when the server does.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import AsyncIterable, Mapping

from starlette.exceptions import HTTPException
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

_RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
STREAM_REFUSALS: dict[int | str, dict[str, object]] = {
    429: {"description": "this account has too many streams open", "headers": _RETRY_AFTER},
    503: {"description": "the server has too many streams open", "headers": _RETRY_AFTER},
}
"""The refusals, for the route's OpenAPI ``responses`` (the error shape is added for all)."""


class StreamsBusyError(HTTPException):
    def __init__(self, status_code: int, detail: str, retry_after_s: int) -> None:
        super().__init__(status_code, detail, headers={"Retry-After": str(retry_after_s)})


class StreamSlot:
    """One open stream; ``release`` may be called any number of times."""

    def __init__(self, slots: StreamSlots, username: str) -> None:
        self._slots = slots
        self.username = username
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._slots._give_back(self.username)


class StreamSlots:
    """Thread-safe: slots are taken on the threadpool and given back on the event loop."""

    def __init__(self, limit: int, per_user: int, retry_after_s: int) -> None:
        self.limit = limit
        self.per_user = per_user
        self.retry_after_s = retry_after_s
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, username: str) -> StreamSlot:
        with self._lock:
            if self._held[username] >= self.per_user:
                raise StreamsBusyError(
                    429,
                    f"too many live alert streams for this account (at most {self.per_user}):"
                    " close another tab or device, or try again later",
                    self.retry_after_s,
                )
            if self._held.total() >= self.limit:
                raise StreamsBusyError(
                    503,
                    f"the server has its most live alert streams open ({self.limit}): try again",
                    self.retry_after_s,
                )
            self._held[username] += 1
        return StreamSlot(self, username)

    def open(self, username: str | None = None) -> int:
        """Streams open now: for one account, or in all."""
        with self._lock:
            return self._held.total() if username is None else self._held[username]

    def _give_back(self, username: str) -> None:
        with self._lock:
            self._held[username] -= 1
            if self._held[username] <= 0:
                del self._held[username]


class SlotStreamingResponse(StreamingResponse):
    """A streaming response that gives its slot back when the response ends."""

    def __init__(
        self,
        content: AsyncIterable[str],
        slot: StreamSlot,
        media_type: str,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.slot = slot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.slot.release()
