"""Frames from a video file, either every frame in order or paced like a live camera."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from pathlib import Path

import cv2

from lfr.domain import Frame, Image
from lfr.errors import SourceError
from lfr.ingest._cv import sane_fps, to_rgb
from lfr.ingest.base import SourceStats
from lfr.ingest.player import PacedPlayer
from lfr.ingest.redact import redact_url


class VideoFileSource:
    """Read a video file with OpenCV.

    ``realtime=False`` (offline): every frame, in order, ``time_s = index / fps``, no drops.
    ``realtime=True``: the file plays at its native pace from a reader thread and frames the
    consumer cannot keep up with are dropped (counted in ``stats()``), as with a live camera.
    ``frames_read`` counts decoded frames; the consumer received ``frames_read - frames_dropped``.
    """

    still_images = False

    def __init__(self, path: str | Path, camera: str = "file", realtime: bool = False) -> None:
        self.path = Path(path)
        self.camera = camera
        self.realtime = realtime
        self.description = redact_url(str(self.path))
        if not self.path.exists():
            raise SourceError(f"no such file or directory: {self.description}")
        if not self.path.is_file():
            raise SourceError(f"not a video file: {self.description}")
        # Open and decode one frame now so that a bad file fails here, not mid-run.
        capture = self._open()
        try:
            self.fps = sane_fps(float(capture.get(cv2.CAP_PROP_FPS)))
            ok, _ = capture.read()
        finally:
            capture.release()
        if not ok:
            raise SourceError(f"video file has no readable frames: {self.description}")
        self._read = 0
        self._player: PacedPlayer | None = None
        self._closed = False

    def _open(self) -> cv2.VideoCapture:
        try:
            capture = cv2.VideoCapture(str(self.path))
        except cv2.error:  # one line for the user, not OpenCV's C++ trace
            raise SourceError(f"cannot open video file: {self.description}") from None
        if not capture.isOpened():
            capture.release()
            raise SourceError(
                f"cannot open video file (not a video OpenCV can decode): {self.description}"
            )
        return capture

    def _images(self) -> Generator[Image, None, None]:
        capture = self._open()
        try:
            while True:
                ok, decoded = capture.read()
                if not ok or decoded is None:
                    return
                yield to_rgb(decoded)
        finally:
            capture.release()

    def frames(self) -> Iterator[Frame]:
        if self._closed:
            return
        if self.realtime:
            self._player = PacedPlayer(self._images, self.fps, self.camera, self.description)
            yield from self._player.play()
            return
        images = self._images()
        try:
            for index, image in enumerate(images):
                if self._closed:
                    return
                self._read += 1
                yield Frame(image, index, index / self.fps, self.camera, time.monotonic())
        finally:
            images.close()

    def stats(self) -> SourceStats:
        if self._player is not None:
            return SourceStats(self._player.frames_read, self._player.slot.dropped, 0)
        return SourceStats(self._read, 0, 0)

    def close(self) -> None:
        self._closed = True
        if self._player is not None:
            self._player.stop()
