"""The one image decoder: whatever bytes arrive, it returns well-formed RGB pixels within the
limits or raises ``ImageReadError``; sizes are checked from the header before decoding."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile, ImageOps

from lfr.config import ImageLimits
from lfr.imaging import (
    ImageReadError,
    ImageTooLargeError,
    decode_image,
    encode_jpeg,
    probe_image,
    read_image,
)
from tests.unit.image_bytes import encoded, png_bomb, png_declaring

LIMITS = ImageLimits()
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Every (format, pixel mode) Pillow writes and we accept; CMYK, 16-bit, alpha and palettes too.
KINDS = [
    *(("PNG", m) for m in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")),
    *(("JPEG", m) for m in ("L", "RGB", "CMYK")),
    *(("BMP", m) for m in ("1", "L", "P", "RGB")),
    *(("WEBP", m) for m in ("RGB", "RGBA")),
    *(("TIFF", m) for m in ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "F")),
    *(("PPM", m) for m in ("1", "L", "RGB", "I;16")),
]
WITH_EXIF = {"PNG", "JPEG", "WEBP", "TIFF"}
LOSSLESS = {"PNG": {}, "BMP": {}, "TIFF": {}, "PPM": {}, "WEBP": {"lossless": True}}


def picture(mode: str, height: int, width: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16))
    rgb = Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    return rgb if mode == "RGB" else rgb.convert(mode)


sides = st.integers(1, 40)
seeds = st.integers(0, 2**32 - 1)


@st.composite
def image_files(draw: st.DrawFn) -> bytes:
    fmt, mode = draw(st.sampled_from(KINDS))
    orientation = draw(st.integers(1, 8)) if fmt in WITH_EXIF else 1
    pixels = picture(mode, draw(sides), draw(sides), draw(seeds))
    return encoded(pixels, fmt, orientation, **LOSSLESS.get(fmt, {}))


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    """Truncated, bit-flipped, prefixed or random bytes, or an intact file now and then."""
    data = draw(image_files())
    damage = draw(st.sampled_from(["none", "truncate", "flip", "random", "signature", "empty"]))
    if damage == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))]
    if damage == "flip":
        flipped = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            flipped[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return bytes(flipped)
    if damage == "random":
        return draw(st.binary(max_size=2048))
    if damage == "signature":
        return data[:16] + draw(st.binary(max_size=512))
    return b"" if damage == "empty" else data


def assert_well_formed(image: Any, limits: ImageLimits) -> None:
    assert isinstance(image, np.ndarray)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert image.flags.c_contiguous and image.flags.writeable
    assert 1 <= image.shape[0] * image.shape[1] <= limits.max_pixels


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on the corrupt input
@FUZZ
@given(hostile_bytes())
@example(b"")
@example(b"\xff\xd8\xff")  # a JPEG that ends after its signature
@example(png_declaring(0, 10))  # zero-size
@example(png_declaring(7, 0))
@example(b"GIF89a" + bytes(32))  # a format we do not decode
def test_any_bytes_decode_to_well_formed_rgb_or_our_one_error(data: bytes) -> None:
    try:
        image = decode_image(data, LIMITS)
    except ImageReadError as exc:
        assert str(exc)  # a message for people, never an empty one
    else:
        assert_well_formed(image, LIMITS)


@FUZZ
@given(sides, sides, seeds, st.sampled_from(sorted(LOSSLESS)), st.integers(1, 8))
def test_lossless_files_decode_to_their_pixels_turned_by_exif(
    height: int, width: int, seed: int, fmt: str, orientation: int
) -> None:
    orientation = orientation if fmt in WITH_EXIF else 1
    data = encoded(picture("RGB", height, width, seed), fmt, orientation, **LOSSLESS[fmt])
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    image = decode_image(data, LIMITS)
    assert_well_formed(image, LIMITS)
    assert np.array_equal(image, expected)
    turned = orientation in (5, 6, 7, 8)
    assert image.shape[:2] == ((width, height) if turned else (height, width))


@FUZZ
@given(sides, sides, seeds)
def test_16_bit_grey_keeps_its_top_8_bits_in_every_channel(
    height: int, width: int, seed: int
) -> None:
    grey16 = np.random.default_rng(seed).integers(0, 65536, (height, width), dtype=np.uint16)
    image = decode_image(encoded(grey16, "PNG"), LIMITS)
    expected = (grey16 >> 8).astype(np.uint8)
    assert all(np.array_equal(image[:, :, c], expected) for c in range(3))


@FUZZ
@given(sides, sides, seeds)
def test_alpha_is_dropped_and_grey_fills_every_channel(height: int, width: int, seed: int) -> None:
    rgba = np.random.default_rng(seed).integers(0, 256, (height, width, 4), dtype=np.uint8)
    assert np.array_equal(decode_image(encoded(rgba, "PNG"), LIMITS), rgba[:, :, :3])
    grey = rgba[:, :, 0]
    assert np.array_equal(decode_image(encoded(grey, "PNG"), LIMITS), np.dstack([grey] * 3))


@FUZZ
@given(sides, sides, seeds)
def test_cmyk_jpeg_decodes_to_rgb(height: int, width: int, seed: int) -> None:
    cmyk = picture("CMYK", height, width, seed)
    image = decode_image(encoded(cmyk, "JPEG", quality=95), LIMITS)
    assert_well_formed(image, LIMITS)
    assert image.shape[:2] == (height, width)


@FUZZ
@given(
    st.integers(65, 160),  # over 64 x 64, the smallest limit there may be
    st.integers(65, 160),
    st.sampled_from(["PNG", "JPEG", "BMP", "TIFF", "WEBP", "PPM"]),
    st.data(),
)
def test_an_image_over_the_pixel_limit_is_refused_from_its_header_alone(
    width: int, height: int, fmt: str, data: st.DataObject
) -> None:
    limits = ImageLimits(max_pixels=data.draw(st.integers(64 * 64, width * height - 1)))
    file = encoded(Image.new("RGB", (width, height)), fmt)
    with mock.patch("lfr.imaging._rgb_pixels") as pixels:  # where every decode happens
        with pytest.raises(ImageTooLargeError, match=f"{width} x {height} pixels"):
            decode_image(file, limits)
        with pytest.raises(ImageTooLargeError):
            probe_image(file, limits)
    pixels.assert_not_called()
    assert decode_image(file, ImageLimits(max_pixels=width * height)).shape == (height, width, 3)


def test_a_31_kb_png_that_declares_16000_x_16000_pixels_is_refused_undecoded() -> None:
    bomb = png_bomb(16000, 16000)
    assert len(bomb) < 40_000
    with (
        mock.patch.object(ImageFile.ImageFile, "load") as load,
        pytest.raises(ImageTooLargeError, match="too large: over 179 megapixels"),
    ):
        decode_image(bomb, LIMITS)
    load.assert_not_called()


def test_a_bomb_under_pillows_own_ceiling_is_refused_by_ours_with_its_size() -> None:
    bomb = png_bomb(8000, 8000)  # 64 megapixels: Pillow alone would decode it
    with (
        mock.patch.object(ImageFile.ImageFile, "load") as load,
        pytest.raises(ImageTooLargeError) as refused,
    ):
        decode_image(bomb, LIMITS)
    load.assert_not_called()
    assert str(refused.value) == (
        "too large: 8000 x 8000 pixels (64 megapixels); the limit is 40 megapixels per image"
    )


@pytest.mark.parametrize("data", [png_declaring(0, 10), png_declaring(10, 0)])
def test_a_zero_size_image_is_our_error(data: bytes) -> None:
    with pytest.raises(ImageReadError, match="not an image"):
        decode_image(data, LIMITS)


def test_the_content_decides_the_format_not_the_file_name(tmp_path: Path) -> None:
    pixels = np.random.default_rng(3).integers(0, 256, (12, 9, 3), dtype=np.uint8)
    (tmp_path / "really_a_png.jpg").write_bytes(encoded(pixels, "PNG"))
    (tmp_path / "really_a_jpeg.png").write_bytes(encode_jpeg(pixels))
    (tmp_path / "photo.txt").write_bytes(encoded(pixels, "PNG"))
    assert np.array_equal(read_image(tmp_path / "really_a_png.jpg"), pixels)
    assert read_image(tmp_path / "really_a_jpeg.png").shape == (12, 9, 3)
    with pytest.raises(ImageReadError, match=r"unsupported file type '\.txt'"):
        read_image(tmp_path / "photo.txt")


def test_a_file_over_the_byte_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    noise = np.random.default_rng(4).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    path = tmp_path / "noise.png"
    path.write_bytes(encoded(noise, "PNG"))  # about 12 KB: noise does not compress
    with pytest.raises(ImageTooLargeError, match="too large: the file is over the limit"):
        read_image(path, ImageLimits(max_file_bytes=10 * 1024))
    assert np.array_equal(read_image(path, ImageLimits()), noise)


def test_a_missing_file_is_our_error(tmp_path: Path) -> None:
    with pytest.raises(ImageReadError, match="unreadable"):
        read_image(tmp_path / "gone.jpg")


def test_the_limits_must_let_one_largest_image_into_a_request() -> None:
    with pytest.raises(ValueError, match="max_request_pixels must be at least max_pixels"):
        ImageLimits(max_pixels=50_000_000, max_request_pixels=40_000_000)
