"""A one-frame mailbox between a reader thread and the pipeline.

When processing falls behind, the latest frame wins: a new frame replaces one that was never
taken (counted as dropped), so memory and latency stay bounded however slow the consumer is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from lfr.domain import Frame


class LatestFrameSlot:
    """Thread-safe slot holding at most one frame."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._closed = False
        self._put = 0
        self._dropped = 0

    def put(self, frame: Frame) -> bool:
        """Offer a frame, replacing any untaken one. Returns False once the slot is closed."""
        with self._cond:
            if self._closed:
                return False
            if self._frame is not None:
                self._dropped += 1
            self._frame = frame
            self._put += 1
            self._cond.notify()
            return True

    def get(self, timeout: float | None = None) -> Frame | None:
        """Take the pending frame, waiting up to ``timeout`` s; None on timeout or when closed.

        A frame put before ``close()`` can still be taken, so the last frame of a clip is kept.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._closed, timeout)
            frame, self._frame = self._frame, None
            return frame

    def close(self) -> None:
        """Refuse further frames and wake every waiter."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def drain(self, poll_s: float = 0.1) -> Iterator[Frame]:
        """Yield frames as they arrive until the slot is closed and empty."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._frame is not None or self._closed, poll_s)
                frame, self._frame = self._frame, None
                # Read together with the frame: "empty and closed" can then never change.
                finished = frame is None and self._closed
            if finished:
                return
            if frame is not None:
                yield frame

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed

    @property
    def pending(self) -> int:
        """Frames waiting to be taken: 0 or 1."""
        with self._cond:
            return 0 if self._frame is None else 1

    @property
    def put_count(self) -> int:
        with self._cond:
            return self._put

    @property
    def dropped(self) -> int:
        """Frames replaced before anyone took them."""
        with self._cond:
            return self._dropped
