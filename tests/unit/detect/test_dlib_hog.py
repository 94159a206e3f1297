"""The HOG detector is a copy of dlib's own frontal detector, made from dlib's serialisation."""

from __future__ import annotations

import cv2
import dlib
import numpy as np

from lfr.detect import dlib_hog
from lfr.detect.dlib_hog import HogDetector
from lfr.ingest.synthetic import demo_watchlist_image


def test_a_copy_finds_what_dlibs_own_detector_finds() -> None:
    image = demo_watchlist_image()
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    for upsample in (0, 1):
        rects, scores, _ = dlib.get_frontal_face_detector().run(grey, upsample, 0.0)
        found = HogDetector().detect(image, upsample)
        assert len(found) == len(rects) >= 1
        for detection, rect, score in zip(found, rects, scores, strict=True):
            box = detection.box
            assert (box.left, box.top, box.right, box.bottom) == (
                rect.left(),
                rect.top(),
                rect.right(),
                rect.bottom(),
            )
            assert detection.confidence == score


def test_every_detector_after_the_first_is_a_copy_of_one_serialisation() -> None:
    first, second = HogDetector(), HogDetector()
    assert dlib_hog._frontal_detector_state.cache_info().currsize == 1
    assert first._detector is not second._detector  # each thread gets its own object
    blank = np.zeros((200, 200, 3), np.uint8)
    assert first.detect(blank) == second.detect(blank) == []
