"""OpenCV helpers shared by the sources: OpenCV decodes to BGR, the pipeline wants RGB."""

from __future__ import annotations

import math
import os
from typing import Any

import cv2
import numpy as np

from lfr.domain import Image

DEFAULT_FPS = 25.0

# FFmpeg inside OpenCV writes its own diagnostics to stderr, which could quote a stream URL
# past our redaction and clutters one-line errors. Quiet unless the user set a level (-8 = off).
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


def to_rgb(decoded: Any) -> Image:
    """Convert an OpenCV image (BGR, BGRA or grey) to a contiguous RGB uint8 array."""
    array = np.asarray(decoded)
    if array.dtype != np.uint8:
        # 16-bit PNGs and the like: scale to 8 bits rather than wrap around.
        array = cv2.convertScaleAbs(array, alpha=255.0 / max(float(array.max()), 1.0))
    if array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 1):
        rgb = cv2.cvtColor(array, cv2.COLOR_GRAY2RGB)
    elif array.shape[2] == 4:
        rgb = cv2.cvtColor(array, cv2.COLOR_BGRA2RGB)
    else:
        rgb = cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb, dtype=np.uint8)


def sane_fps(value: float, default: float = DEFAULT_FPS) -> float:
    """Containers report 0, NaN or absurd rates when they do not know; fall back to ``default``."""
    return value if math.isfinite(value) and 0.0 < value <= 1000.0 else default
