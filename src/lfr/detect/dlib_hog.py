"""dlib's HOG + linear SVM frontal face detector: the fast CPU default."""

from __future__ import annotations

import functools
import pickle

import cv2
import dlib

from lfr.config import DetectorConfig
from lfr.detect.hog_pyramid import large_faces
from lfr.domain import Box, Detection, Image


class HogDetector:
    """Runs on a grey image (about 25% faster than RGB, same boxes on our clips).

    dlib releases the GIL while it scans, so a detector thread overlaps with embedding.
    """

    name = "dlib-hog"

    def __init__(self, min_confidence: float = 0.0) -> None:
        # A copy of one built detector (3 ms) rather than another built from dlib's source
        # text (0.7 s): enrolment threads and cameras each need a detector of their own.
        self._detector = pickle.loads(_frontal_detector_state())
        self._min_confidence = min_confidence

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
        rects, scores, _ = self._detector.run(grey, upsample, self._min_confidence)
        return [
            Detection(Box(r.left(), r.top(), r.right(), r.bottom()), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]

    def find_large_faces(self, image: Image, max_side: int) -> list[Detection] | None:
        """``detect(image)``'s large faces, found on a copy at most ``max_side`` px: see
        ``hog_pyramid.large_faces`` (None: scan the full image to know)."""
        return large_faces(self._detector, image, max_side, self._min_confidence)


@functools.cache
def _frontal_detector_state() -> bytes:
    """dlib's frontal face detector, serialised by dlib itself (built on first use only)."""
    return pickle.dumps(dlib.get_frontal_face_detector())


def build(config: DetectorConfig) -> HogDetector:
    """The registry's builder (``lfr.detect.registry``): dlib's HOG, the default."""
    return HogDetector(config.min_confidence)
