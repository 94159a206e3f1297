"""Live streams (RTSP/HTTP/...) and webcams, read on a thread with reconnect and back-off.

The reader thread puts every frame into a LatestFrameSlot, so a slow pipeline sees the newest
frame and the stale ones are counted as dropped. When the stream fails or ends, the thread
reopens it after an exponential back-off (initial, 2x, 4x ... capped at ``backoff_max_s``),
reset once frames flow again. Only the redacted URL is ever logged.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol
from urllib.parse import urlsplit

import cv2

from lfr.domain import Frame
from lfr.ingest._cv import to_rgb
from lfr.ingest.base import SourceStats
from lfr.ingest.latest import LatestFrameSlot
from lfr.ingest.redact import MASK, redact_text, redact_url

log = logging.getLogger("lfr.ingest")


class CaptureLike(Protocol):
    """The part of ``cv2.VideoCapture`` a stream uses; tests pass fakes."""

    def read(self) -> tuple[bool, Any]: ...

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's spelling

    def release(self) -> None: ...

    def get(self, prop_id: int, /) -> float: ...


Opener = Callable[[str | int], CaptureLike]


def opencv_opener(open_timeout_s: float) -> Opener:
    """An opener using OpenCV, with open/read time-outs so a dead camera cannot hang a read."""
    ms = max(1, int(open_timeout_s * 1000))

    def open_capture(target: str | int) -> CaptureLike:
        if isinstance(target, int):
            return cv2.VideoCapture(target)
        params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, ms]
        return cv2.VideoCapture(target, cv2.CAP_ANY, params)

    return open_capture


class StreamSource:
    """A network stream URL or a webcam index.

    ``time_s`` is seconds since the reader started; ``index`` counts frames read, across
    reconnects. ``stats().reconnects`` counts reopen attempts after the first open.
    ``max_reconnects`` bounds consecutive reopen attempts that bring no frame (None: retry for
    ever, what a fixed camera wants). When it is exhausted, ``frames()`` ends and ``error``
    says why; it does not raise, so frames already delivered are kept.
    """

    still_images = False
    realtime = True
    """Frames come at the camera's pace (``run_source`` carries those it picks up late)."""

    def __init__(
        self,
        url_or_index: str | int,
        camera: str | None = None,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_reconnects: int | None = None,
        open_timeout_s: float = 10.0,
        opener: Opener | None = None,
    ) -> None:
        self.target = url_or_index
        if isinstance(url_or_index, int):
            self.description = f"webcam {url_or_index}"
            self._password = ""
            default_camera = f"webcam{url_or_index}"
        else:
            self.description = redact_url(url_or_index)
            self._password = _password_of(url_or_index)
            default_camera = self.description
        self.camera = camera or default_camera
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.max_reconnects = max_reconnects
        self._opener = opener or opencv_opener(open_timeout_s)
        self._slot = LatestFrameSlot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._read = 0
        self._reconnects = 0
        self.error: str | None = None

    def frames(self) -> Iterator[Frame]:
        self.start()
        try:
            yield from self._slot.drain()
        finally:
            self.close()  # the consumer stopped: stop reading too

    def start(self) -> None:
        """Start the reader thread (``frames()`` does this); frames flow into the slot."""
        if self._thread is None and not self._stop.is_set():
            self._started = time.monotonic()
            self._thread = threading.Thread(
                target=self._run, name=f"lfr-stream-{self.camera}", daemon=True
            )
            self._thread.start()

    def stats(self) -> SourceStats:
        return SourceStats(self._read, self._slot.dropped, self._reconnects, error=self.error)

    def close(self, join_s: float = 2.0) -> None:
        """Stop the reader; returns once it has exited or ``join_s`` passed (a read in progress
        cannot be interrupted, but it has a time-out and the thread is a daemon)."""
        self._stop.set()
        self._slot.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(join_s)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        backoff = self.backoff_initial_s
        failures = 0  # consecutive reopen attempts that brought no frame
        first = True
        try:
            while not self._stop.is_set():
                if not first:
                    self._reconnects += 1
                got = self._read_session(first)
                first = False
                if self._stop.is_set():
                    return
                if got:
                    failures, backoff = 0, self.backoff_initial_s
                if self.max_reconnects is not None and failures >= self.max_reconnects:
                    what = "lost" if self._read else "could not be opened"
                    self.error = (
                        f"stream {self.description} {what}; gave up after "
                        f"{self._reconnects} reconnect attempt(s)"
                    )
                    log.error("%s", self.error)
                    return
                failures += 1
                log.warning("stream %s: reconnecting in %.2f s", self.description, backoff)
                if self._stop.wait(backoff):
                    return
                backoff = min(backoff * 2.0, self.backoff_max_s)
        except Exception as exc:  # keep the thread's death visible, never with the secret
            self.error = f"stream {self.description}: reader failed: {self._scrub(exc)}"
            log.error("%s", self.error)
        finally:
            self._slot.close()

    def _read_session(self, first: bool) -> int:
        """Open once and read until the stream fails or ends. Returns frames read."""
        try:
            capture = self._opener(self.target)
        except Exception as exc:
            log.warning("stream %s: open failed: %s", self.description, self._scrub(exc))
            return 0
        got = 0
        try:
            if not capture.isOpened():
                log.warning("stream %s: could not open", self.description)
                return 0
            log.info("stream %s: %s", self.description, "opened" if first else "reconnected")
            while not self._stop.is_set():
                ok, decoded = capture.read()
                if not ok or decoded is None:
                    break
                now = time.monotonic()
                frame = Frame(to_rgb(decoded), self._read, now - self._started, self.camera, now)
                self._read += 1
                got += 1
                if not self._slot.put(frame):
                    break
            if not self._stop.is_set():
                log.warning("stream %s: ended after %d frame(s)", self.description, got)
            return got
        finally:
            capture.release()

    def _scrub(self, exc: BaseException) -> str:
        # Exception text from a decoder may quote the raw URL, or the password on its own.
        text = str(exc)
        if isinstance(self.target, str):
            text = text.replace(self.target, self.description)
        if self._password:
            text = text.replace(self._password, MASK)
        return f"{type(exc).__name__}: {redact_text(text)}"


def _password_of(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""
