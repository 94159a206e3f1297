"""Detect at a reduced resolution and report boxes in original-frame pixels."""

from __future__ import annotations

import cv2
import numpy as np

from lfr.detect.base import FaceDetector
from lfr.domain import Detection, Image


class ScaledDetector:
    """Wraps any detector; frames wider than ``max_width`` are shrunk before detection."""

    def __init__(self, inner: FaceDetector, max_width: int, upsample: int = 0) -> None:
        self.name = f"{inner.name}@{max_width}px"
        self._inner = inner
        self._max_width = max_width
        self._upsample = upsample

    def detect(self, image: Image, upsample: int | None = None) -> list[Detection]:
        steps = self._upsample if upsample is None else upsample
        width = image.shape[1]
        if width <= self._max_width:
            return self._inner.detect(image, steps)
        factor = self._max_width / width
        small = np.asarray(
            cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), np.uint8
        )
        return [
            Detection(d.box.scaled(1.0 / factor), d.confidence)
            for d in self._inner.detect(small, steps)
        ]
