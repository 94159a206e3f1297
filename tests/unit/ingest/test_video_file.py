from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from lfr.errors import SourceError
from lfr.ingest._cv import sane_fps
from lfr.ingest.video_file import VideoFileSource
from tests.waiting import wait_until

VideoMaker = Callable[..., Path]


def grey_level(index: int) -> int:
    return 10 + 7 * index  # how conftest.make_video paints frame ``index``


def test_offline_yields_every_frame_in_order_with_times(make_video: VideoMaker) -> None:
    source = VideoFileSource(make_video(frames=12, fps=10.0), camera="door")
    before = time.monotonic()
    frames = list(source.frames())
    assert [f.index for f in frames] == list(range(12))
    assert [f.time_s for f in frames] == pytest.approx([i / 10.0 for i in range(12)])
    assert all(f.camera == "door" for f in frames)
    assert all(before <= f.captured_at <= time.monotonic() for f in frames)
    # Frame content follows the written order (mp4v is lossy, so within a few levels).
    means = [float(f.image[24:, 24:].mean()) for f in frames]
    assert means == pytest.approx([grey_level(i) for i in range(12)], abs=4)
    stats = source.stats()
    assert (stats.frames_read, stats.frames_dropped, stats.reconnects) == (12, 0, 0)


def test_frames_are_rgb_uint8(make_video: VideoMaker) -> None:
    image = next(iter(VideoFileSource(make_video(frames=2)).frames())).image
    assert image.dtype == np.uint8 and image.shape == (48, 64, 3)
    red, green, blue = (int(v) for v in image[4, 4])
    assert blue > 200 and red < 60 and green < 60  # written as BGR blue, read as RGB blue


def test_realtime_with_slow_consumer_drops_frames(make_video: VideoMaker) -> None:
    source = VideoFileSource(make_video(frames=30, fps=100.0), realtime=True)
    got = []
    for frame in source.frames():
        got.append(frame.index)
        # A pipeline slower than the camera, whatever the machine's speed: it takes the next
        # frame only once the reader has moved three frames on, so two of them met a full slot.
        # (The reader counts a frame before it offers it.)
        ahead = min(frame.index + 4, 30)
        wait_until(lambda ahead=ahead: source.stats().frames_read >= ahead)
    stats = source.stats()
    assert stats.frames_read == 30
    assert stats.frames_dropped > 0
    assert len(got) + stats.frames_dropped == stats.frames_read
    assert got == sorted(got) and got[-1] == 29


def test_realtime_plays_at_native_pace(make_video: VideoMaker) -> None:
    source = VideoFileSource(make_video(frames=10, fps=50.0), realtime=True)
    start = time.monotonic()
    frames = list(source.frames())
    assert time.monotonic() - start >= 9 / 50.0 * 0.9
    assert frames[-1].index == 9 and frames[-1].time_s == pytest.approx(9 / 50.0)


def test_close_stops_the_realtime_reader(make_video: VideoMaker) -> None:
    source = VideoFileSource(make_video(frames=30, fps=2.0), realtime=True)  # a 15 s clip
    iterator = source.frames()
    next(iterator)
    source.close()
    assert len(list(iterator)) <= 1  # at most the frame already in the slot
    # The reader thread ends at once rather than with the clip, which would take 15 s more.
    wait_until(
        lambda: not any(t.name.startswith("lfr-play-") for t in threading.enumerate()),
        timeout=10.0,
        what="the reader's exit",
    )
    assert source.stats().frames_read < 30


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no such file or directory: .*nope\.mp4"):
        VideoFileSource(tmp_path / "nope.mp4")


def test_corrupt_file_gives_one_line_source_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(SourceError) as info:
        VideoFileSource(path)
    assert "garbage.mp4" in str(info.value)
    assert "\n" not in str(info.value)


def test_file_with_no_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 10.0, (64, 48))
    writer.release()
    with pytest.raises(SourceError, match=r"empty\.mp4"):
        VideoFileSource(path)


def test_directory_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a video file"):
        VideoFileSource(tmp_path)


@pytest.mark.parametrize(("reported", "used"), [(0.0, 25.0), (float("nan"), 25.0), (30.0, 30.0)])
def test_unknown_frame_rate_falls_back_to_25(reported: float, used: float) -> None:
    assert sane_fps(reported) == used


def test_realtime_reader_failure_surfaces_as_source_error(make_video: VideoMaker) -> None:
    path = make_video(frames=3)
    source = VideoFileSource(path, realtime=True)
    path.unlink()  # gone between opening the source and playing it
    with pytest.raises(SourceError, match=r"clip\.mp4"):
        list(source.frames())


@pytest.mark.parametrize("realtime", [False, True])
def test_a_resumed_file_plays_on_from_the_frame_it_stopped_at(
    make_video: VideoMaker, realtime: bool
) -> None:
    path = make_video(frames=12, fps=20.0)
    first = VideoFileSource(path, realtime=realtime)
    played = []
    for frame in first.frames():
        played.append(frame.index)
        if frame.index == 4:
            break
    first.close()
    assert played[-1] == 4
    resumed = VideoFileSource(path, realtime=realtime)
    resumed.first_frame = 5
    frames = list(resumed.frames())
    assert [f.index for f in frames] == list(range(5, 12))  # no frame twice, none missed
    means = [float(f.image[24:, 24:].mean()) for f in frames]
    assert means == pytest.approx([grey_level(i) for i in range(5, 12)], abs=4)
    assert resumed.position == 12  # played through: a further restart plays nothing
