from __future__ import annotations

import logging
from pathlib import Path
from unittest import mock

import cv2
import numpy as np
import pytest
from PIL import ImageFile

from lfr.config import ImageLimits
from lfr.errors import SourceError
from lfr.ingest.factory import open_source
from lfr.ingest.image_folder import ImageFolderSource
from tests.unit.image_bytes import png_bomb


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


def test_an_image_over_the_pixel_limit_is_skipped_undecoded_and_the_rest_play(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="lfr.ingest")
    write_image(tmp_path / "a.png", 50)
    (tmp_path / "b.png").write_bytes(png_bomb(8000, 8000))  # 64 megapixels in 8 KB
    write_image(tmp_path / "c.png", 150)
    load = ImageFile.ImageFile.load
    with mock.patch.object(ImageFile.ImageFile, "load", autospec=True, side_effect=load) as spy:
        source = ImageFolderSource(tmp_path)
        frames = list(source.frames())
    assert [f.index for f in frames] == [0, 2]
    assert source.stats().unreadable == 1
    assert {call.args[0].size for call in spy.call_args_list} == {(30, 20)}  # never the bomb
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "skipping unreadable image b.png: too large: 8000 x 8000 pixels (64 megapixels);"
        " the limit is 40 megapixels per image"
    ]


def test_a_scan_of_stills_takes_the_engines_image_limits(tmp_path: Path) -> None:
    write_image(tmp_path / "small.png", 50)  # 600 pixels
    assert cv2.imwrite(str(tmp_path / "large.png"), np.zeros((80, 80, 3), np.uint8))
    limits = ImageLimits(max_pixels=64 * 64)
    source = open_source(str(tmp_path), image_limits=limits)
    assert [f.image.shape for f in source.frames()] == [(20, 30, 3)]
    assert source.stats().unreadable == 1
