from __future__ import annotations

import dlib
import numpy as np
import pytest

from lfr.ingest.synthetic import SyntheticClipSource, demo_clip_source, demo_watchlist_image


@pytest.fixture(scope="module")
def clip() -> list[np.ndarray]:
    return [f.image for f in demo_clip_source().frames()]


def test_clip_shape_rate_and_motion() -> None:
    source = demo_clip_source(camera="lobby")
    frames = list(source.frames())
    assert len(frames) == 150  # 6 s at 25 fps
    assert frames[-1].time_s == pytest.approx(149 / 25)
    assert all(f.camera == "lobby" for f in frames)
    first, last = frames[0].image, frames[-1].image
    assert first.shape == (360, 640, 3) and first.dtype == np.uint8
    assert float(np.abs(first.astype(int) - last.astype(int)).mean()) > 10  # it moves
    assert source.stats().frames_read == 150


def test_dlib_hog_finds_the_face_in_most_frames(clip: list[np.ndarray]) -> None:
    detector = dlib.get_frontal_face_detector()
    sample = clip[::2]  # every other frame keeps the test quick and still covers the path
    heights = []
    for image in sample:
        faces = detector(image, 0)
        if len(faces) == 1:
            heights.append(faces[0].height())
    assert len(heights) >= 0.8 * len(sample)
    assert min(heights) >= 100 and max(heights) <= 160


def test_watchlist_image_is_the_portrait() -> None:
    image = demo_watchlist_image()
    assert image.shape == (512, 512, 3) and image.dtype == np.uint8
    assert len(dlib.get_frontal_face_detector()(image, 0)) == 1


def test_realtime_demo_is_paced() -> None:
    source = demo_clip_source(seconds=0.4, realtime=True)
    frames = list(source.frames())
    assert source.stats().frames_read == 10
    assert len(frames) + source.stats().frames_dropped == 10
    assert frames[-1].index == 9


def test_other_frame_sizes_fit_the_portrait() -> None:
    source = SyntheticClipSource(seconds=0.2, size_wh=(320, 180))
    assert all(f.image.shape == (180, 320, 3) for f in source.frames())
