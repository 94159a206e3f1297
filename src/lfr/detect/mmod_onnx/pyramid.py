"""dlib's ``input_rgb_image_pyramid``: the image and its smaller copies tiled into one tensor.

The layout follows ``impl::compute_tiled_image_pyramid_details`` (``image_pyramid.h``) to the
pixel, unsigned arithmetic included: the first column holds the image and the next levels
top-down; the smaller levels climb a second column, right-aligned, from the bottom. Each
level is a bilinear resize (corners aligned, as dlib's ``resize_image``) of the level before
it, computed on the normalised values as dlib's ``to_tensor`` does, with zeros between
levels. A box found in the tensor maps back to the image through the level nearest to its
centre (``tiled_pyramid_to_image``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from lfr.domain import Image

Rect = tuple[int, int, int, int]
"""dlib's ``rectangle``: left, top, right, bottom, all inclusive."""
DRect = tuple[float, float, float, float]
"""dlib's ``drectangle``."""
Floats = npt.NDArray[np.float32]

_MIN_LEVEL_ROWS = 5
_U64 = 1 << 64


@dataclass(frozen=True, slots=True)
class PyramidLayout:
    rects: tuple[Rect, ...]
    """Where each level sits in the tensor, the full-size image first."""
    rows: int
    cols: int
    down: int
    """The pyramid's rate: each level is (down - 1) / down the size of the one before."""


def _unsigned(value: int) -> int:
    """The value as C++'s ``unsigned long`` arithmetic leaves it."""
    return value % _U64


def _level_sizes(rows: int, cols: int, down: int) -> list[tuple[int, int]]:
    rate = (down - 1.0) / down
    sizes = [(rows, cols)]
    while True:
        rows, cols = math.floor(rate * rows), math.floor(rate * cols)
        if rows * cols == 0 or rows < _MIN_LEVEL_ROWS:
            return sizes
        sizes.append((rows, cols))


@lru_cache(maxsize=16)
def pyramid_layout(
    rows: int, cols: int, padding: int, outer_padding: int, down: int
) -> PyramidLayout:
    """The tiled layout of a ``rows`` x ``cols`` image (cached: a camera's frames share it).

    Empty when the image itself does not go in the first column (an image narrower than
    ``padding``, or any with no padding): dlib's layout of that is meaningless (its unsigned
    arithmetic wraps), and no face fits in such an image anyway.
    """
    empty = PyramidLayout((), 0, 0, down)
    if rows * cols == 0:
        return empty
    sizes = _level_sizes(rows, cols, down)
    height = _first_column_height(sizes, padding)
    if height <= 0:
        return empty
    rects = _place(sizes, height, padding, outer_padding)
    return PyramidLayout(rects, height + 2 * outer_padding, cols + 2 * outer_padding, down)


def _first_column_height(sizes: list[tuple[int, int]], padding: int) -> int:
    """Rows of the first column: it ends where the next level fits beside the previous one
    and the first column holds at least half of the total height. dlib computes both tests
    in unsigned arithmetic, which this keeps."""
    first_rows, width = sizes[0]
    total_height = sum(h + padding for h, _ in sizes) - 2 * padding
    height, previous_width = 0, 0
    for level_rows, level_cols in sizes:
        fits = level_cols <= _unsigned(width - previous_width - padding)
        half = _unsigned((height - first_rows) * 2) >= _unsigned(total_height - first_rows)
        if fits and half:
            break
        height += level_rows + padding
        previous_width = level_cols
    return height - padding if height else 0


def _place(sizes: list[tuple[int, int]], height: int, padding: int, outer: int) -> tuple[Rect, ...]:
    """The first column top-down from the corner, then the rest right-aligned, climbing from
    the bottom; a level that would overlap the image, and those after it, are left out."""
    rects: list[Rect] = []
    y = outer
    while y < height + outer and len(rects) < len(sizes):
        level_rows, level_cols = sizes[len(rects)]
        rects.append((outer, y, outer + level_cols - 1, y + level_rows - 1))
        y += level_rows + padding
    y -= padding
    right = outer + sizes[0][1] - 1
    while len(rects) < len(sizes):
        level_rows, level_cols = sizes[len(rects)]
        rect = (right - level_cols + 1, y - level_rows, right, y - 1)
        if _intersects(rects[0], rect):
            break
        rects.append(rect)
        y -= level_rows + padding
    return tuple(rects)


def _intersects(a: Rect, b: Rect) -> bool:
    return max(a[0], b[0]) <= min(a[2], b[2]) and max(a[1], b[1]) <= min(a[3], b[3])


def tile_pyramid(image: Image, layout: PyramidLayout, mean_rgb: tuple[float, ...]) -> Floats:
    """The (3, rows, cols) float32 tensor of an RGB uint8 ``image`` laid out by ``layout``."""
    tensor = np.zeros((3, layout.rows, layout.cols), np.float32)
    if not layout.rects:
        return tensor
    mean = np.asarray(mean_rgb, np.float32)[:, None, None]
    left, top, right, bottom = layout.rects[0]
    # (pixel - mean) / 256 in float32, exactly as dlib (the division is by a power of two).
    planes = np.moveaxis(image, 2, 0).astype(np.float32)
    tensor[:, top : bottom + 1, left : right + 1] = (planes - mean) / np.float32(256.0)
    for source, target in itertools.pairwise(layout.rects):
        rows, cols = target[3] - target[1] + 1, target[2] - target[0] + 1
        level = tensor[:, source[1] : source[3] + 1, source[0] : source[2] + 1]
        tensor[:, target[1] : target[3] + 1, target[0] : target[2] + 1] = resize_bilinear(
            level, rows, cols
        )
    return tensor


def resize_bilinear(planes: Floats, rows: int, cols: int) -> Floats:
    """dlib's ``resize_image`` of float planes (C, h, w): corners aligned, so output pixel
    r samples the input at r * (h - 1) / (rows - 1); rows, then columns."""
    # np.take and in-place products: a third faster than fancy indexing (a frame's pyramid
    # costs about as much as a tenth of the network).
    top, bottom, down = _taps(planes.shape[1], rows)
    upper = np.take(planes, top, axis=1)
    upper *= (1 - down)[:, None]
    lower = np.take(planes, bottom, axis=1)
    lower *= down[:, None]
    upper += lower
    left, right, across = _taps(planes.shape[2], cols)
    result = np.take(upper, left, axis=2)
    result *= 1 - across
    righter = np.take(upper, right, axis=2)
    righter *= across
    result += righter
    return result


def _taps(
    size: int, out: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    scale = (size - 1) / max(out - 1, 1)
    position = np.arange(out, dtype=np.float64) * scale
    first = np.floor(position).astype(np.intp)
    second = np.minimum(first + 1, size - 1)
    return first, second, (position - first).astype(np.float32)


def _round_point(x: float, y: float) -> tuple[int, int]:
    """dlib's conversion of a ``dpoint`` to a ``point``: floor(v + 0.5)."""
    return math.floor(x + 0.5), math.floor(y + 0.5)


def _nearest_level(rects: tuple[Rect, ...], x: int, y: int) -> int:
    """``nearest_rect``: the first level that contains the point, else the closest one."""
    best, best_distance = 0, math.inf
    for index, (left, top, right, bottom) in enumerate(rects):
        if left <= x <= right and top <= y <= bottom:
            return index
        dx = min(max(x, left), right) - x
        dy = min(max(y, top), bottom) - y
        distance = math.hypot(dx, dy)
        if distance < best_distance:
            best, best_distance = index, distance
    return best


def to_image(layout: PyramidLayout, rect: DRect) -> DRect:
    """A box in tensor coordinates as a box in the image (``tiled_pyramid_to_image``)."""
    left, top, right, bottom = rect
    level = _nearest_level(layout.rects, *_round_point((left + right) / 2, (top + bottom) / 2))
    origin_x, origin_y = layout.rects[level][0], layout.rects[level][1]
    corners = [left - origin_x, top - origin_y, right - origin_x, bottom - origin_y]
    ratio = layout.down / (layout.down - 1.0)
    for _ in range(level):  # point_up, one level at a time, as dlib rounds it
        corners = [value * ratio + 0.3 for value in corners]
    return corners[0], corners[1], corners[2], corners[3]
