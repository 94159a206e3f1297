"""What ``cnn_face_detection_model_v1`` does with ``upsample_num_times``: dlib's
``pyramid_up`` (with ``pyramid_down<2>``) before detection, ``rect_down`` of the boxes after.

``pyramid_up`` makes an image of (2 * rows + 1) x (2 * cols + 2) pixels (the rounded
``rect_up`` of the image's rectangle) with ``resize_image``'s RGB code: a corners-aligned
bilinear resize whose columns are computed four at a time in float32 (the positions summed
up in float32, as dlib's SIMD loop sums them), the last few in float64, and whose values are
truncated to uint8. Reproducing that arithmetic gives dlib's pixels, not pixels off by one.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lfr.detect.mmod_onnx.boxes import lround
from lfr.detect.mmod_onnx.pyramid import Rect
from lfr.domain import Image

_LANES = 4


def pyramid_up(image: Image) -> Image:
    """An RGB uint8 image about twice the size, as dlib's ``pyramid_up`` makes it."""
    rows, cols = image.shape[:2]
    return resize_rgb(image, 2 * rows + 1, 2 * cols + 2)


def resize_rgb(image: Image, rows: int, cols: int) -> Image:
    """dlib's ``resize_image`` of an RGB uint8 image with bilinear interpolation."""
    height, width = image.shape[:2]
    y_scale = (height - 1) / max(rows - 1, 1)
    # y = -y_scale, then y += y_scale per row, in float64.
    y = np.add.accumulate(np.r_[-y_scale, np.full(rows, y_scale)])[1:]
    top = np.floor(y).astype(np.intp)
    bottom = np.minimum(top + 1, height - 1)
    down = np.asarray(y - top, np.float64)
    pixels = image.astype(np.float32)
    x_scale = (width - 1) / max(cols - 1, 1)
    simd = _simd_columns(width, cols, x_scale)
    out = np.empty((rows, cols, 3), np.uint8)
    out[:, : simd.size] = _blend_float32(pixels, top, bottom, down, simd)
    out[:, simd.size :] = _blend_float64(pixels, top, bottom, down, simd.size, cols, x_scale)
    return out


def _simd_columns(width: int, cols: int, x_scale: float) -> npt.NDArray[np.float32]:
    """The float32 positions of the columns dlib's SIMD loop computes: four lanes, each
    started at x + lane * x_scale (x = -4 * x_scale) and advanced by 4 * x_scale per step,
    until the fourth lane's right neighbour would leave the image."""
    steps = cols // _LANES + 2
    start = -_LANES * x_scale
    lanes = np.empty((steps + 1, _LANES), np.float32)
    lanes[0] = [start + lane * x_scale for lane in range(_LANES)]
    lanes[1:] = np.float32(_LANES * x_scale)
    positions = np.add.accumulate(lanes, axis=0, dtype=np.float32)[1:]
    outside = np.nonzero(positions[:, -1].astype(np.int32) + 1 >= width)[0]
    return positions[: outside[0]].reshape(-1)[:cols]


def _blend_float32(
    pixels: npt.NDArray[np.float32],
    top: npt.NDArray[np.intp],
    bottom: npt.NDArray[np.intp],
    down: npt.NDArray[np.float64],
    x: npt.NDArray[np.float32],
) -> Image:
    left = x.astype(np.int32)  # truncation, as dlib's float-to-int lanes
    across = x - left.astype(np.float32)
    below = down.astype(np.float32)[:, None, None]
    above = (1 - down).astype(np.float32)[:, None, None]
    leftward, rightward = (1 - across)[None, :, None], across[None, :, None]
    upper, lower = pixels[top], pixels[bottom]
    # ((tl + tr) + bl) + br, each weight a float32 product, in dlib's order of operations.
    weighted = (above * leftward) * upper[:, left]
    weighted += (above * rightward) * upper[:, left + 1]
    weighted += (below * leftward) * lower[:, left]
    weighted += (below * rightward) * lower[:, left + 1]
    return weighted.astype(np.int32).astype(np.uint8)


def _blend_float64(
    pixels: npt.NDArray[np.float32],
    top: npt.NDArray[np.intp],
    bottom: npt.NDArray[np.intp],
    down: npt.NDArray[np.float64],
    first: int,
    cols: int,
    x_scale: float,
) -> Image:
    if first >= cols:
        return np.empty((len(top), 0, 3), np.uint8)
    # x = -x_scale + first * x_scale, then x += x_scale per column, in float64.
    x = np.add.accumulate(np.r_[-x_scale + first * x_scale, np.full(cols - first, x_scale)])[1:]
    left = np.floor(x).astype(np.intp)
    right = np.minimum(left + 1, pixels.shape[1] - 1)
    across = (x - left)[None, :, None]
    d = down[:, None, None]
    values = pixels.astype(np.float64)
    upper = (1 - across) * values[top][:, left] + across * values[top][:, right]
    lower = (1 - across) * values[bottom][:, left] + across * values[bottom][:, right]
    return ((1 - d) * upper + d * lower).astype(np.int32).astype(np.uint8)


def rect_down(rect: Rect, levels: int) -> Rect:
    """A box of the upsampled image in the pixels of the original (``pyramid_down<2>``'s
    ``rect_down``: p / 2 - (1.25, 0.75) per level, then rounded)."""
    left, top, right, bottom = (float(v) for v in rect)
    for _ in range(levels):
        left, right = left / 2 - 1.25, right / 2 - 1.25
        top, bottom = top / 2 - 0.75, bottom / 2 - 0.75
    return lround(left), lround(top), lround(right), lround(bottom)
