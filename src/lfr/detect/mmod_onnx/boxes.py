"""From the score map to boxes, as dlib's ``loss_mmod_::to_label`` does it.

Every position scoring above the threshold is a detector window centred where the position
maps in the input tensor; the window is mapped back to the image through its pyramid level
and rounded to whole pixels. Boxes are then taken best first, each dropped when it overlaps
one already taken by dlib's ``test_box_overlap`` (intersection over the two boxes' bounding
box, or over either box), the rule and thresholds stored in the loss layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lfr.detect.mmod_onnx.plan import MmodPlan
from lfr.detect.mmod_onnx.pyramid import PyramidLayout, Rect, to_image
from lfr.dlibnet.layers import BoxOverlap


@dataclass(frozen=True, slots=True)
class ScoredRect:
    rect: Rect
    """left, top, right, bottom, inclusive pixels (dlib's ``rectangle``)."""
    score: float


def lround(value: float) -> int:
    """C's ``lround``: to the nearest integer, halves away from zero."""
    magnitude = int(abs(value) + 0.5)
    return magnitude if value >= 0 else -magnitude


def decode(
    scores: npt.NDArray[np.float32], plan: MmodPlan, layout: PyramidLayout, threshold: float
) -> list[ScoredRect]:
    """The boxes of a (windows, rows, cols) score map, after non-maximum suppression."""
    candidates: list[ScoredRect] = []
    for window, row, col in zip(*np.nonzero(scores > threshold), strict=True):
        size = plan.windows[window]
        x = float(plan.columns.scale * col + plan.columns.offset)
        y = float(plan.rows.scale * row + plan.rows.offset)
        half_w, half_h = (size.width - 1) / 2, (size.height - 1) / 2
        box = to_image(layout, (x - half_w, y - half_h, x + half_w, y + half_h))
        rect = (lround(box[0]), lround(box[1]), lround(box[2]), lround(box[3]))
        candidates.append(ScoredRect(rect, float(scores[window, row, col])))
    candidates.sort(key=lambda c: c.score, reverse=True)
    kept: list[ScoredRect] = []
    for candidate in candidates:
        if not any(overlaps(plan.overlaps_nms, k.rect, candidate.rect) for k in kept):
            kept.append(candidate)
    return kept


def _area(rect: Rect) -> int:
    left, top, right, bottom = rect
    return max(0, right - left + 1) * max(0, bottom - top + 1)


def overlaps(rule: BoxOverlap, a: Rect, b: Rect) -> bool:
    """dlib's ``test_box_overlap`` on whole-pixel rectangles."""
    inner = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    if inner[0] > inner[2] or inner[1] > inner[3]:
        return False
    shared = _area(inner)
    outer = _area((min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])))
    return (
        shared / outer > rule.iou
        or shared / _area(a) > rule.covered
        or shared / _area(b) > rule.covered
    )
