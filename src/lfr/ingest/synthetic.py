"""The built-in demo camera, for trying OpenLFR without a video of one's own.

Frames are drawn in memory, never written to disk, from the NASA portrait of astronaut Eileen
Collins that ships with scikit-image (``skimage.data.astronaut()``, public domain). The portrait
slides and zooms slightly across a blurred view of ``skimage.data.rocket()`` so the detector and
tracker have motion to follow; the face stays fully in frame and 110-150 px tall, which dlib's
HOG detector finds at upsample 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt
from skimage import data

from lfr.domain import Image
from lfr.ingest.player import ClipSource

# Part of the 512x512 portrait around the face (dlib box ~ x 179-266, y 83-170), as y0, y1, x0, x1.
_CROP = (32, 240, 117, 327)
_FACE_IN_CROP_PX = 87.0  # dlib box height in the unscaled portrait

# scikit-image ships no type hints; these loaders return RGB uint8 arrays bundled with it.
_astronaut: Callable[[], object] = data.astronaut
_rocket: Callable[[], object] = data.rocket


def demo_watchlist_image() -> Image:
    """The enrolment photo for the demo: the same astronaut portrait the demo clip is made of.

    That the probe and the enrolled photo are one picture is deliberate and harmless for a demo
    of the pipeline; it says nothing about accuracy on real footage.
    """
    return np.ascontiguousarray(_astronaut(), dtype=np.uint8)


class SyntheticClipSource(ClipSource):
    """A short generated clip; offline by default, or paced at ``fps`` like a live camera."""

    def __init__(
        self,
        camera: str = "demo",
        seconds: float = 6.0,
        fps: float = 25.0,
        size_wh: tuple[int, int] = (640, 360),
        realtime: bool = False,
    ) -> None:
        self.camera = camera
        self.fps = fps
        self.size_wh = size_wh
        self.realtime = realtime
        self.n_frames = max(1, round(seconds * fps))
        self.description = "built-in demo clip (scikit-image astronaut portrait, NASA)"
        super().__init__()

    def render(self, index: int) -> Image:
        """Draw frame ``index``: the portrait on its path across the background."""
        width, height = self.size_wh
        t = index / max(1, self.n_frames - 1)  # 0 -> 1 over the clip
        # Face ~115 -> 145 px tall (dlib box), with a gentle bob; left to right across the frame.
        scale = (112.0 + 18.0 * t) / _FACE_IN_CROP_PX
        if self.size_wh != (640, 360):  # keep the face's share of the frame, and the portrait in it
            scale *= min(width / 640.0, height / 360.0)
        patch, alpha = _portrait(scale)
        ph, pw = patch.shape[:2]
        x = round(20 + t * (width - pw - 40))
        y = round((height - ph) / 2 + 6 * math.sin(2 * math.pi * t))
        x, y = min(max(x, 0), width - pw), min(max(y, 0), height - ph)
        frame = _background(width, height).copy()
        region = frame[y : y + ph, x : x + pw].astype(np.float32)
        blended = region * (1.0 - alpha) + patch.astype(np.float32) * alpha
        frame[y : y + ph, x : x + pw] = blended.astype(np.uint8)
        return frame

    def _images(self) -> Generator[Image, None, None]:
        for index in range(self.n_frames):
            yield self.render(index)


def demo_clip_source(
    camera: str = "demo", seconds: float = 6.0, fps: float = 25.0, realtime: bool = False
) -> SyntheticClipSource:
    """The demo camera: ~6 s of 640x360 at 25 fps showing one known face."""
    return SyntheticClipSource(camera=camera, seconds=seconds, fps=fps, realtime=realtime)


@lru_cache(maxsize=4)
def _background(width: int, height: int) -> Image:
    # Blurred and dimmed so the only face-like structure in view is the portrait.
    rocket = cv2.resize(
        np.asarray(_rocket(), dtype=np.uint8), (width, height), interpolation=cv2.INTER_AREA
    )
    soft = cv2.GaussianBlur(rocket, (0, 0), 3.0)
    background = np.ascontiguousarray((soft.astype(np.float32) * 0.7).astype(np.uint8))
    background.flags.writeable = False  # cached: each frame draws on a copy
    return background


@lru_cache(maxsize=1)
def _portrait_with_mask() -> tuple[Image, npt.NDArray[np.float32]]:
    """The cropped portrait and a feathered alpha mask: soft edges, not a pasted rectangle."""
    y0, y1, x0, x1 = _CROP
    crop = np.ascontiguousarray(demo_watchlist_image()[y0:y1, x0:x1])
    h, w = crop.shape[:2]
    mask = np.zeros((h, w), np.float32)
    border = max(2, min(h, w) // 12)
    mask[border:-border, border:-border] = 1.0
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), border / 2.0), dtype=np.float32)
    crop.flags.writeable = mask.flags.writeable = False  # cached: shared by every frame
    return crop, mask


def _portrait(scale: float) -> tuple[Image, npt.NDArray[np.float32]]:
    crop, mask = _portrait_with_mask()
    size = (round(crop.shape[1] * scale), round(crop.shape[0] * scale))
    patch = cv2.resize(crop, size, interpolation=cv2.INTER_LINEAR)
    alpha = cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR)
    return np.asarray(patch, dtype=np.uint8), np.asarray(alpha, dtype=np.float32)[:, :, np.newaxis]
