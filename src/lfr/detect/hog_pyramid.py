"""Large faces of a big photo found on a small copy, with the very boxes a full HOG scan gives.

dlib's HOG detector scans a pyramid of the image: each level is the one before shrunk by
dlib's ``pyramid_down(6)`` (to 5/6), and a box found on level ``l`` is mapped back to the image
with ``rect_up(box, l)``. Shrinking a grey photo ``m`` times with that same function first gives
exactly levels m, m+1, ... of the full scan (the same pixels, features and scores), while
levels 0 .. m-1, which hold most of the pixels and so most of the cost, are skipped. A box
found on the copy is taken back to its level and then up ``m`` more levels: the box the full
scan reports, to the pixel.

What the copy cannot see are faces found only on the skipped levels (the small ones), and a
face found on the copy's finest level might have scored better one level finer in the full
scan (where the copy cannot look). So a box is trusted only from the copy's second level up
(``MIN_LEVEL``); otherwise, or when a box cannot be taken back exactly (one cut by the photo's
edge), ``large_faces`` answers None and the caller scans the full photo as before.
"""

from __future__ import annotations

import cv2
import dlib
import numpy as np
import numpy.typing as npt

from lfr.domain import Box, Detection, Image

BOX_PX = 73
"""Every box of dlib's frontal face detector measures 73 x 73 px (dlib's inclusive width) on
the pyramid level it was found on; that is how a box's level is recognised."""
MIN_LEVEL = 1
"""The copy's finest level whose boxes are trusted (see the module's docstring)."""
_LEVELS_TRIED = 32
"""More levels than any photo has: an 8000 px side is under 73 px after 26 steps."""

Grey = npt.NDArray[np.uint8]


def grey_of(image: Image) -> Grey:
    """The grey image the HOG detector scans (``HogDetector`` converts the same way)."""
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image)


def shrink(grey: Grey, max_side: int) -> tuple[Grey, int]:
    """``grey`` shrunk by dlib's pyramid steps until its longest side is at most ``max_side``;
    returns (copy, steps taken)."""
    pyramid = dlib.pyramid_down(6)
    steps = 0
    while max(grey.shape[:2]) > max_side:
        grey = np.asarray(pyramid(grey))
        steps += 1
    return grey, steps


def level_of(rect: dlib.rectangle) -> int | None:
    """The pyramid level a detector box was found on, when exactly one level explains it."""
    pyramid = dlib.pyramid_down(6)
    levels = [
        level
        for level in range(_LEVELS_TRIED)
        if _explains(pyramid, pyramid.rect_down(rect, level), level, rect)
    ]
    return levels[0] if len(levels) == 1 else None


def _explains(
    pyramid: dlib.pyramid_down, at_level: dlib.rectangle, level: int, rect: dlib.rectangle
) -> bool:
    square = at_level.width() == BOX_PX and at_level.height() == BOX_PX
    return square and bool(pyramid.rect_up(at_level, level) == rect)


def full_scan_box(rect: dlib.rectangle, steps: int) -> dlib.rectangle | None:
    """The box of the full scan for ``rect``, found on a copy shrunk ``steps`` times (None when
    it is not one the copy can vouch for)."""
    level = level_of(rect)
    if level is None or level < MIN_LEVEL:
        return None
    pyramid = dlib.pyramid_down(6)
    return pyramid.rect_up(pyramid.rect_down(rect, level), level + steps)


def large_faces(
    detector: dlib.fhog_object_detector, image: Image, max_side: int, min_confidence: float
) -> list[Detection] | None:
    """The faces a full scan of ``image`` (no upsampling) finds, searched for on a copy whose
    longest side is at most ``max_side``; None when the copy cannot vouch for its answer (the
    image is no bigger than that, a face is too small for the copy, a box is cut by an edge),
    and an empty list only when it found nothing at all (then the full scan may still)."""
    small, steps = shrink(grey_of(image), max_side)
    if steps == 0:
        return None
    rects, scores, _ = detector.run(small, 0, min_confidence)
    found = []
    for rect, score in zip(rects, scores, strict=True):
        box = full_scan_box(rect, steps)
        if box is None:
            return None
        found.append(Detection(Box(box.left(), box.top(), box.right(), box.bottom()), float(score)))
    return found
