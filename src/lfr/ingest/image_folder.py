"""A folder of still images played as a clip, one frame per image in name order."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from lfr.config import ImageLimits
from lfr.domain import Frame
from lfr.errors import SourceError
from lfr.imaging import IMAGE_SUFFIXES, ImageReadError, read_image
from lfr.ingest.base import SourceStats
from lfr.ingest.redact import redact_url

log = logging.getLogger("lfr.ingest")


class ImageFolderSource:
    """Images directly inside ``folder`` (not sub-folders), sorted by file name.

    ``index`` is the image's position in that listing, so a frame number names its file even
    when unreadable files are skipped; ``time_s = index / fps`` (1 image per second by default).
    An image over ``limits`` is skipped as unreadable, without being decoded.
    """

    still_images = True

    def __init__(
        self,
        folder: str | Path,
        camera: str = "images",
        fps: float = 1.0,
        limits: ImageLimits | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.limits = limits or ImageLimits()
        self.camera = camera
        self.fps = fps if fps > 0 else 1.0
        self.description = redact_url(str(self.folder))
        if not self.folder.is_dir():
            raise SourceError(f"no such folder: {self.description}")
        self.files = sorted(
            (
                p
                for p in self.folder.iterdir()
                if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            ),
            key=lambda p: p.name,
        )
        if not self.files:
            suffixes = ", ".join(sorted(s.lstrip(".") for s in IMAGE_SUFFIXES))
            raise SourceError(f"no images ({suffixes}) in folder: {self.description}")
        self._read = 0
        self._unreadable = 0
        self._closed = False

    def frames(self) -> Iterator[Frame]:
        for index, path in enumerate(self.files):
            if self._closed:
                return
            try:
                image = read_image(path, self.limits)
            except ImageReadError as exc:
                self._unreadable += 1
                # The name only: never the pixels, never the full path of someone's folder tree.
                log.warning("skipping unreadable image %s: %s", path.name, exc)
                continue
            self._read += 1
            yield Frame(image, index, index / self.fps, self.camera, time.monotonic())

    def stats(self) -> SourceStats:
        return SourceStats(self._read, 0, 0, unreadable=self._unreadable)

    def close(self) -> None:
        self._closed = True
