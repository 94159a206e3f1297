"""The tiled image pyramid of dlib's ``input_rgb_image_pyramid`` and the way back from it,
and the ``pyramid_up`` / ``rect_down`` pair behind ``upsample``."""

from __future__ import annotations

import itertools
import math

import dlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lfr.detect.mmod_onnx.pyramid import pyramid_layout, resize_bilinear, tile_pyramid, to_image
from lfr.detect.mmod_onnx.upsample import pyramid_up, rect_down, resize_rgb

MEAN = (122.78199768066406, 117.0009994506836, 104.2979965209961)


def _disjoint(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


@settings(max_examples=60, deadline=None)
@given(rows=st.integers(32, 1200), cols=st.integers(32, 1600))
def test_levels_shrink_by_five_sixths_and_tile_apart(rows: int, cols: int) -> None:
    layout = pyramid_layout(rows, cols, 10, 11, 6)
    sizes = [(r[3] - r[1] + 1, r[2] - r[0] + 1) for r in layout.rects]
    assert layout.rects[0] == (11, 11, 11 + cols - 1, 11 + rows - 1)
    for (h, w), (smaller_h, smaller_w) in itertools.pairwise(sizes):
        assert (smaller_h, smaller_w) == (math.floor(h * 5 / 6), math.floor(w * 5 / 6))
    assert layout.cols == cols + 22
    for a, b in itertools.combinations(layout.rects, 2):
        assert _disjoint(a, b)
    for left, top, right, bottom in layout.rects:
        assert left >= 11 and right < layout.cols - 11 and top >= 11 and bottom < layout.rows - 11


def test_the_first_column_goes_down_then_the_second_climbs_right_aligned() -> None:
    layout = pyramid_layout(360, 640, 10, 11, 6)
    first, second = layout.rects[0], layout.rects[1]
    assert second[:2] == (11, first[3] + 11)  # below the image, 10 rows of zeros between
    climbing = [r for r in layout.rects if r[0] > 11]
    assert climbing and all(r[2] == first[2] for r in climbing)
    assert all(b[3] < a[1] for a, b in itertools.pairwise(climbing))  # each above the last
    assert layout.rects[-1][3] - layout.rects[-1][1] + 1 >= 5  # no level under 5 rows


def test_an_image_narrower_than_the_padding_has_no_layout() -> None:
    assert pyramid_layout(100, 9, 10, 11, 6).rects == ()
    assert pyramid_layout(100, 10, 10, 11, 6).rects != ()
    assert pyramid_layout(100, 100, 0, 11, 6).rects == ()
    assert pyramid_layout(0, 100, 10, 11, 6).rects == ()


def test_the_tensor_holds_the_normalised_image_and_zeros_between_levels() -> None:
    image = np.random.default_rng(1).integers(0, 256, (60, 90, 3), dtype=np.uint8)
    layout = pyramid_layout(60, 90, 10, 11, 6)
    tensor = tile_pyramid(image, layout, MEAN)
    assert tensor.shape == (3, layout.rows, layout.cols) and tensor.dtype == np.float32
    left, top, right, bottom = layout.rects[0]
    want = (image.astype(np.float32) - np.float32(MEAN)) / 256
    np.testing.assert_array_equal(
        tensor[:, top : bottom + 1, left : right + 1], want.transpose(2, 0, 1)
    )
    gap = tensor[:, bottom + 1 : layout.rects[1][1], :]
    assert gap.size and not gap.any()
    assert not tensor[:, :11].any() and not tensor[:, :, :11].any()
    level1 = layout.rects[1]
    np.testing.assert_allclose(
        tensor[:, level1[1] : level1[3] + 1, level1[0] : level1[2] + 1],
        resize_bilinear(want.transpose(2, 0, 1), 50, 75),
    )


def test_bilinear_resize_aligns_corners() -> None:
    ramp = np.add.outer(np.arange(7.0), 10 * np.arange(9.0)).astype(np.float32)[None]
    out = resize_bilinear(ramp, 4, 5)
    rows, cols = np.arange(4) * 6 / 3, np.arange(5) * 8 / 4  # r * (h - 1) / (rows - 1)
    np.testing.assert_allclose(out[0], np.add.outer(rows, 10 * cols), rtol=1e-6)
    np.testing.assert_array_equal(resize_bilinear(ramp, 7, 9), ramp)


def test_boxes_map_back_through_the_nearest_level() -> None:
    layout = pyramid_layout(360, 640, 10, 11, 6)
    assert to_image(layout, (111.0, 61.0, 190.0, 140.0)) == (100.0, 50.0, 179.0, 129.0)
    left, top = layout.rects[1][:2]
    got = to_image(layout, (left + 10.0, top + 20.0, left + 89.0, top + 99.0))
    assert got == pytest.approx((10 * 1.2 + 0.3, 20 * 1.2 + 0.3, 89 * 1.2 + 0.3, 99 * 1.2 + 0.3))
    # A centre in the zeros just below the image belongs to the image, the nearest level.
    below = layout.rects[0][3] + 3
    assert to_image(layout, (111.0, below - 40.0, 190.0, below + 39.0))[1] == below - 51.0


@pytest.mark.parametrize(
    ("rows", "cols", "out_rows", "out_cols"),
    [(20, 30, 41, 62), (37, 53, 75, 108), (9, 5, 19, 12), (60, 90, 30, 31), (3, 200, 7, 402)],
)
def test_rgb_resize_gives_dlibs_pixels(rows: int, cols: int, out_rows: int, out_cols: int) -> None:
    image = np.random.default_rng(rows * cols).integers(0, 256, (rows, cols, 3), dtype=np.uint8)
    np.testing.assert_array_equal(
        resize_rgb(image, out_rows, out_cols), dlib.resize_image(image, out_rows, out_cols)
    )


def test_pyramid_up_has_dlibs_size_and_rect_down_maps_boxes_back() -> None:
    image = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    bigger = pyramid_up(image)
    assert bigger.shape == (41, 62, 3) and bigger.dtype == np.uint8
    np.testing.assert_array_equal(bigger, dlib.resize_image(image, 41, 62))
    # dlib maps a point down as p / 2 - (1.25, 0.75) per level, then rounds to whole pixels:
    # 23 -> 10.25, 10 -> 4.25, 103 -> 50.25, 90 -> 44.25; and twice, 11 -> 4.75 -> 1.625.
    assert rect_down((23, 10, 103, 90), 1) == (10, 4, 50, 44)
    assert rect_down((25, 11, 105, 91), 2) == (4, 2, 24, 22)
    assert rect_down((-7, -3, 0, 0), 1) == (-5, -2, -1, -1)  # halves away from zero
