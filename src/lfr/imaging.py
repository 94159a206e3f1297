"""Small image helpers shared by enrolment, the pipeline and alert sinks (RGB in, RGB out)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from lfr.domain import Box, Image

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


class ImageReadError(ValueError):
    """The file is missing, not an image, or cannot be decoded."""


def read_image(path: Path) -> Image:
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise ImageReadError(f"not an image (unsupported file type '{path.suffix or path.name}')")
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise ImageReadError(f"unreadable ({exc.strerror or exc})") from None
    bgr = cv2.imdecode(raw, cv2.IMREAD_COLOR) if raw.size else None
    if bgr is None:
        raise ImageReadError("unreadable (corrupt or not a supported image format)")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def fit_within(image: Image, max_side: int) -> tuple[Image, float]:
    """Shrink so the longest side is at most ``max_side``; returns (image, scale applied)."""
    longest = max(image.shape[:2])
    if longest <= max_side:
        return image, 1.0
    scale = max_side / longest
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(small, dtype=np.uint8), scale


def crop_around(image: Image, box: Box, margin: float = 0.3, max_side: int = 200) -> Image:
    """The face with some context, clipped to the frame and shrunk to at most ``max_side``."""
    pad_x, pad_y = box.width * margin, box.height * margin
    height, width = image.shape[:2]
    left, top = max(0, int(box.left - pad_x)), max(0, int(box.top - pad_y))
    right, bottom = min(width, int(box.right + pad_x)), min(height, int(box.bottom + pad_y))
    crop = np.ascontiguousarray(image[top:bottom, left:right])
    return fit_within(crop, max_side)[0] if crop.size else crop


def encode_jpeg(image: Image, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise ValueError("JPEG encoding failed")
    return buf.tobytes()


def decode_jpeg(data: bytes) -> Image:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError("corrupt JPEG")
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def side_by_side(left: Image, right: Image, height: int = 200) -> Image:
    """Two faces at the same height, for an alert picture: probe on the left."""

    def _fit(img: Image) -> Image:
        scale = height / img.shape[0]
        size = (max(1, int(img.shape[1] * scale)), height)
        return np.asarray(cv2.resize(img, size), dtype=np.uint8)

    gap = np.full((height, 8, 3), 255, np.uint8)
    return np.ascontiguousarray(np.hstack([_fit(left), gap, _fit(right)]))
