"""dlib's MMOD CNN face detector: more robust to pose than HOG, ~70x slower on a CPU."""

from __future__ import annotations

from pathlib import Path

import dlib

from lfr.config import DetectorConfig
from lfr.domain import Box, Detection, Image
from lfr.models import dlib_model_paths


class MmodDetector:
    name = "dlib-mmod"

    def __init__(self, weights: Path, min_confidence: float = 0.0) -> None:
        self._detector = dlib.cnn_face_detection_model_v1(str(weights))
        self._min_confidence = min_confidence

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        found = self._detector(image, upsample)
        return [
            Detection(
                Box(d.rect.left(), d.rect.top(), d.rect.right(), d.rect.bottom()), d.confidence
            )
            for d in found
            if d.confidence >= self._min_confidence
        ]


def build(config: DetectorConfig) -> MmodDetector:
    """The registry's builder (``lfr.detect.registry``): dlib's CNN, from its installed weights."""
    return MmodDetector(dlib_model_paths().mmod_detector, config.min_confidence)
