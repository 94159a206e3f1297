"""Play decoded images at their native pace into a LatestFrameSlot, like a live camera would.

Used by the file and synthetic sources in realtime mode: a reader thread emits frame ``i`` at
``start + i / fps``; a consumer that cannot keep up sees only the latest frame, and the rest
are counted as dropped.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator

from lfr.domain import Frame, Image
from lfr.errors import LfrError, SourceError
from lfr.ingest.base import SourceStats
from lfr.ingest.latest import LatestFrameSlot

log = logging.getLogger("lfr.ingest")


class PacedPlayer:
    def __init__(
        self,
        images: Callable[[], Iterator[Image]],
        fps: float,
        camera: str,
        description: str,
        first: int = 0,
    ) -> None:
        self._images = images
        self._first = first
        """The clip's frames before this one are skipped (a camera resumed where it stopped)."""
        self._fps = fps
        self._camera = camera
        self._description = description
        self.slot = LatestFrameSlot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._read = 0
        self.error: str | None = None

    @property
    def frames_read(self) -> int:
        return self._read

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"lfr-play-{self._camera}", daemon=True
            )
            self._thread.start()

    def stop(self, join_s: float = 2.0) -> None:
        self._stop.set()
        self.slot.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(join_s)

    def play(self) -> Iterator[Frame]:
        """Start, yield frames until the images run out, stop; re-raise a reader failure."""
        self.start()
        try:
            yield from self.slot.drain()
        finally:
            self.stop()
        if self.error is not None:
            raise SourceError(self.error)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        images: Iterator[Image] | None = None
        try:
            images = self._images()
            played = enumerate(itertools.islice(images, self._first, None), self._first)
            start = time.monotonic()
            for index, image in played:
                # Wait until this frame's moment; if decoding is already late, emit at once.
                moment = start + (index - self._first) / self._fps
                if self._stop.wait(max(0.0, moment - time.monotonic())):
                    break
                frame = Frame(image, index, index / self._fps, self._camera, time.monotonic())
                self._read += 1
                if not self.slot.put(frame):
                    break
        except LfrError as exc:  # already a one-line message with the name redacted
            self.error = str(exc)
            log.error("%s", self.error)
        except Exception as exc:  # a reader thread must not die silently
            self.error = f"reading {self._description} failed: {type(exc).__name__}"
            log.error("%s", self.error)
        finally:
            close = getattr(images, "close", None)  # generators release their decoder
            if callable(close):
                close()
            self.slot.close()


class ClipSource:
    """Base of sources that decode a finite clip (a file, the demo): every frame in order,
    ``time_s = index / fps``, or - with ``realtime`` - paced by a ``PacedPlayer``."""

    still_images = False
    first_frame = 0
    """Where the clip starts: 0, or the frame a resumed camera stopped at (``position``)."""
    camera: str
    description: str
    fps: float
    realtime: bool

    def __init__(self) -> None:
        self._read = 0
        self._player: PacedPlayer | None = None
        self._closed = False

    def _images(self) -> Generator[Image, None, None]:
        raise NotImplementedError

    def frames(self) -> Iterator[Frame]:
        if self._closed:
            return
        if self.realtime:
            self._player = PacedPlayer(
                self._images, self.fps, self.camera, self.description, self.first_frame
            )
            yield from self._player.play()
            return
        images = self._images()
        try:
            for index, image in enumerate(
                itertools.islice(images, self.first_frame, None), self.first_frame
            ):
                if self._closed:
                    return
                self._read += 1
                yield Frame(image, index, index / self.fps, self.camera, time.monotonic())
        finally:
            images.close()

    @property
    def position(self) -> int:
        """The clip's next frame: where a camera resumed after a restart carries on."""
        return self.first_frame + self.stats().frames_read

    def stats(self) -> SourceStats:
        if self._player is not None:
            return SourceStats(self._player.frames_read, self._player.slot.dropped, 0)
        return SourceStats(self._read, 0, 0)

    def close(self) -> None:
        self._closed = True
        if self._player is not None:
            self._player.stop()
