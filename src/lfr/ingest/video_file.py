"""Frames from a video file, either every frame in order or paced like a live camera."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import cv2

from lfr.domain import Image
from lfr.errors import SourceError
from lfr.ingest._cv import sane_fps, to_rgb
from lfr.ingest.player import ClipSource
from lfr.ingest.redact import redact_url


class VideoFileSource(ClipSource):
    """Read a video file with OpenCV.

    ``realtime=False`` (offline): every frame, in order, ``time_s = index / fps``, no drops.
    ``realtime=True``: the file plays at its native pace from a reader thread and frames the
    consumer cannot keep up with are dropped (counted in ``stats()``), as with a live camera.
    ``frames_read`` counts decoded frames; the consumer received ``frames_read - frames_dropped``.
    """

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
        super().__init__()

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
