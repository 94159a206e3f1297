from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import pytest

from lfr.errors import SourceError
from lfr.ingest.image_folder import ImageFolderSource


def write_image(path: Path, grey: int) -> None:
    assert cv2.imwrite(str(path), np.full((20, 30, 3), grey, np.uint8))


def test_reads_images_in_name_order_and_skips_unreadable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="lfr.ingest")
    write_image(tmp_path / "d.bmp", 200)  # written out of order on purpose
    write_image(tmp_path / "a.png", 50)
    write_image(tmp_path / "b.JPG", 100)
    (tmp_path / "c.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    write_image(tmp_path / "e.webp", 250)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "sub.png").mkdir()  # a folder with an image name is not an image

    source = ImageFolderSource(tmp_path, camera="stills", fps=2.0)
    frames = list(source.frames())

    assert [f.index for f in frames] == [0, 1, 3, 4]  # index = position in the listing
    assert [f.time_s for f in frames] == [0.0, 0.5, 1.5, 2.0]
    assert [round(float(f.image.mean()) / 50) for f in frames] == [1, 2, 4, 5]
    assert all(f.image.dtype == np.uint8 and f.image.shape == (20, 30, 3) for f in frames)
    assert all(f.camera == "stills" for f in frames)
    stats = source.stats()
    assert (stats.frames_read, stats.unreadable, stats.frames_dropped) == (4, 1, 0)
    messages = [r.getMessage() for r in caplog.records]
    assert any("c.jpg" in m for m in messages)
    assert not any(str(tmp_path) in m for m in messages)  # the file name, not its path


def test_default_rate_is_one_image_per_second(tmp_path: Path) -> None:
    for name in ("1.png", "2.png", "3.png"):
        write_image(tmp_path / name, 80)
    assert [f.time_s for f in ImageFolderSource(tmp_path).frames()] == [0.0, 1.0, 2.0]


def test_images_are_rgb(tmp_path: Path) -> None:
    bgr = np.zeros((4, 4, 3), np.uint8)
    bgr[..., 2] = 255  # red in OpenCV's BGR order
    cv2.imwrite(str(tmp_path / "red.png"), bgr)
    image = next(iter(ImageFolderSource(tmp_path).frames())).image
    assert tuple(int(v) for v in image[0, 0]) == (255, 0, 0)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such folder"):
        ImageFolderSource(tmp_path / "absent")


def test_folder_without_images(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(SourceError, match="no images"):
        ImageFolderSource(tmp_path)
