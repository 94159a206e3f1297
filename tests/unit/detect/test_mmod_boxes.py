"""From the score map to boxes: windows centred where dlib maps each position, and dlib's
non-maximum suppression (overlap over the two boxes' bounding box, not their union)."""

from __future__ import annotations

import numpy as np

from lfr.detect.mmod_onnx.boxes import ScoredRect, decode, lround, overlaps
from lfr.detect.mmod_onnx.convert import read_plan
from lfr.detect.mmod_onnx.pyramid import pyramid_layout
from lfr.dlibnet.layers import BoxOverlap
from tests.unit.dlib_mmod_bytes import mmod_bytes, random_mmod

DLIB_NMS = BoxOverlap(0.3382761351109955, 1.0)


def test_overlap_is_measured_against_the_bounding_box_of_both() -> None:
    a = (0, 0, 99, 99)
    # Shifted 28 px down and right: union IoU 72^2 / (2 * 100^2 - 72^2) = 0.35 > 0.338, but
    # over the 128 x 128 box around both 72^2 / 128^2 = 0.32: dlib keeps both.
    b = (28, 28, 127, 127)
    assert not overlaps(DLIB_NMS, a, b)
    assert overlaps(DLIB_NMS, a, (25, 25, 124, 124))  # 75^2 / 125^2 = 0.36
    assert not overlaps(DLIB_NMS, a, (100, 0, 199, 99))  # touching is not overlapping
    inside = (10, 10, 29, 29)  # 400 / 10,000: only a "covered" rule below 1 catches it
    assert not overlaps(DLIB_NMS, a, inside)
    assert overlaps(BoxOverlap(0.9, 0.95), a, inside)


def test_lround_halves_away_from_zero() -> None:
    assert [lround(v) for v in (2.5, 3.5, -2.5, 2.4999, -0.2)] == [3, 4, -3, 2, 0]


def test_positions_above_the_threshold_become_windows_best_first_after_nms() -> None:
    plan = read_plan(mmod_bytes(random_mmod()))  # one 12 x 12 window; input p = 2 * p + 2
    layout = pyramid_layout(60, 80, 10, 11, 6)  # the image at (11, 11)
    scores = np.full((1, 40, 50), -1.0, np.float32)
    scores[0, 10, 10] = 0.9  # input (22, 22): box 16.5..27.5, less the origin 11
    scores[0, 10, 11] = 0.7  # 2 px to the right: suppressed by the first
    scores[0, 20, 30] = 0.5  # far away: kept
    found = decode(scores, plan, layout, threshold=0.0)
    # Rounded as dlib rounds: 5.5 -> 6, 16.5 -> 17 (input 62, 42 for the third: 45.5..56.5).
    assert found == [
        ScoredRect((6, 6, 17, 17), float(np.float32(0.9))),
        ScoredRect((46, 26, 57, 37), 0.5),
    ]
    assert [f.score for f in decode(scores, plan, layout, threshold=0.6)] == [np.float32(0.9)]
    assert decode(np.zeros_like(scores), plan, layout, threshold=0.0) == []
