"""Small generated media for the ingest tests (nothing from the network, nothing large)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    """Write an mp4v video whose frame i is flat grey ``10 + 7 * i`` with a blue top-left corner."""

    def make(name: str = "clip.mp4", frames: int = 12, fps: float = 10.0) -> Path:
        path = tmp_path / name
        width, height = 64, 48
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
        assert writer.isOpened(), "this OpenCV build cannot write mp4v"
        for i in range(frames):
            bgr = np.full((height, width, 3), 10 + 7 * i, np.uint8)
            bgr[:16, :16] = (255, 0, 0)  # pure blue in OpenCV's BGR order
            writer.write(bgr)
        writer.release()
        return path

    return make
