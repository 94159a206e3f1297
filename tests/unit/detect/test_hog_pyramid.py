"""Large faces on a small copy: the box mapping back to the full photo, and the cases in which
the copy must not answer. dlib's pyramid functions are used as they are (no weights needed);
the detector is a stand-in that returns fixed boxes."""

from __future__ import annotations

import dlib
import numpy as np
import pytest

from lfr.detect.hog_pyramid import (
    BOX_PX,
    MIN_LEVEL,
    full_scan_box,
    large_faces,
    level_of,
    shrink,
)

PYRAMID = dlib.pyramid_down(6)


def found_on_level(left: int, top: int, level: int) -> dlib.rectangle:
    """The box the detector reports for its 73 x 73 window at (left, top) of ``level``."""
    window = dlib.rectangle(left, top, left + BOX_PX - 1, top + BOX_PX - 1)
    return PYRAMID.rect_up(window, level)


class StandInDetector:
    """Returns fixed boxes and remembers the size of the image it was given."""

    def __init__(self, rects: list[dlib.rectangle]) -> None:
        self.rects = rects
        self.shapes: list[tuple[int, ...]] = []

    def run(
        self, image: np.ndarray, upsample: int, threshold: float
    ) -> tuple[list[dlib.rectangle], list[float], list[int]]:
        self.shapes.append(image.shape)
        return self.rects, [1.5] * len(self.rects), [0] * len(self.rects)


@pytest.mark.parametrize("level", [0, 1, 3, 6])
def test_the_level_of_a_box_is_recognised(level: int) -> None:
    assert level_of(found_on_level(40, 25, level)) == level


def test_a_box_that_is_no_detector_window_has_no_level() -> None:
    assert level_of(dlib.rectangle(10, 10, 60, 90)) is None


@pytest.mark.parametrize(("level", "steps"), [(1, 1), (2, 3), (4, 5)])
def test_a_box_on_the_copy_maps_to_the_full_scans_box(level: int, steps: int) -> None:
    on_copy = found_on_level(31, 17, level)
    on_photo = found_on_level(31, 17, level + steps)  # what the full scan reports
    assert full_scan_box(on_copy, steps) == on_photo
    assert on_photo.width() > on_copy.width()


def test_a_box_on_the_copys_finest_level_is_not_vouched_for() -> None:
    # One level finer, in the full scan only, the same face may have scored better.
    assert MIN_LEVEL == 1
    assert full_scan_box(found_on_level(31, 17, 0), steps=3) is None


def test_shrink_takes_dlibs_own_steps_until_the_copy_fits() -> None:
    grey = np.zeros((900, 1600), np.uint8)
    small, steps = shrink(grey, 800)
    assert max(small.shape) <= 800
    expected = grey
    for _ in range(steps):
        expected = np.asarray(PYRAMID(expected))
    assert small.shape == expected.shape and steps == 4  # 1600 * (5/6)^4 = 772
    same, none = shrink(grey, 1600)
    assert same is grey and none == 0


def test_a_photo_already_small_is_left_to_the_full_scan() -> None:
    detector = StandInDetector([found_on_level(5, 5, 2)])
    assert large_faces(detector, np.zeros((400, 600, 3), np.uint8), 800, 0.0) is None
    assert detector.shapes == []  # not even scanned


def test_large_faces_come_back_in_photo_pixels() -> None:
    detector = StandInDetector([found_on_level(20, 10, 2)])
    found = large_faces(detector, np.zeros((900, 1600, 3), np.uint8), 800, 0.0)
    assert detector.shapes == [(shrink(np.zeros((900, 1600), np.uint8), 800)[0].shape)]
    expected = found_on_level(20, 10, 2 + 4)
    assert found is not None and len(found) == 1
    box = found[0].box
    assert (box.left, box.top, box.right, box.bottom) == (
        expected.left(),
        expected.top(),
        expected.right(),
        expected.bottom(),
    )
    assert found[0].confidence == 1.5


def test_one_box_the_copy_cannot_vouch_for_sends_the_photo_to_the_full_scan() -> None:
    detector = StandInDetector([found_on_level(20, 10, 2), found_on_level(300, 10, 0)])
    assert large_faces(detector, np.zeros((900, 1600, 3), np.uint8), 800, 0.0) is None


def test_nothing_found_on_the_copy_is_an_empty_answer() -> None:
    detector = StandInDetector([])
    assert large_faces(detector, np.zeros((900, 1600, 3), np.uint8), 800, 0.0) == []
