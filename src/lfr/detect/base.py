"""The detector seam: any backend that turns an RGB image into face boxes."""

from __future__ import annotations

from typing import Protocol

from lfr.domain import Detection, Image


class FaceDetector(Protocol):
    """Finds faces; boxes are returned in the pixels of the image it was given."""

    name: str

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]: ...
