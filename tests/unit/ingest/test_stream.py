from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lfr.ingest.stream import CaptureLike, StreamSource
from tests.waiting import PATIENCE_S, wait_until

URL = "rtsp://admin:s3cretpw@10.0.0.5:554/stream?token=tok123"
SECRETS = ("s3cretpw", "tok123")


class FakeCapture:
    """Delivers ``frames`` BGR frames (None: for ever), then reports the stream as ended."""

    def __init__(self, frames: int | None, opened: bool = True, delay_s: float = 0.0) -> None:
        self.frames, self.opened, self.delay_s = frames, opened, delay_s
        self.served = 0
        self.released = False

    def read(self) -> tuple[bool, Any]:
        if self.frames is not None and self.served >= self.frames:
            return False, None
        time.sleep(self.delay_s)
        self.served += 1
        bgr = np.zeros((8, 8, 3), np.uint8)
        bgr[..., 0] = 255  # blue in BGR
        return True, bgr

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's spelling
        return self.opened

    def release(self) -> None:
        self.released = True

    def get(self, prop_id: int, /) -> float:
        return 0.0


class ScriptedOpener:
    """Each open takes the next step: None = open fails, n = n frames then the stream ends.

    Once the script runs out every open fails, unless ``then`` gives a capture factory.
    """

    def __init__(self, script: list[int | None], delay_s: float = 0.002) -> None:
        self.script = list(script)
        self.delay_s = delay_s
        self.targets: list[str | int] = []
        self.times: list[float] = []
        self.captures: list[FakeCapture] = []

    def __call__(self, target: str | int) -> CaptureLike:
        self.targets.append(target)
        self.times.append(time.monotonic())
        step = self.script.pop(0) if self.script else None
        capture = FakeCapture(step, opened=step is not None, delay_s=self.delay_s)
        self.captures.append(capture)
        return capture


def logged_delays(caplog: pytest.LogCaptureFixture) -> list[float]:
    found = (re.search(r"reconnecting in ([\d.]+) s", r.getMessage()) for r in caplog.records)
    return [float(m.group(1)) for m in found if m]


def test_reconnects_with_exponential_backoff_after_failed_opens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="lfr.ingest")
    opener = ScriptedOpener([None, None, None, 3])
    source = StreamSource(
        URL, backoff_initial_s=0.01, backoff_max_s=0.03, max_reconnects=3, opener=opener
    )
    indices = [f.index for f in source.frames()]
    stats = source.stats()
    assert stats.frames_read == 3
    assert len(indices) + stats.frames_dropped == 3 and indices[-1] == 2
    # 3 failed opens, a session of 3 frames, then the script is spent: 3 more failures.
    assert stats.reconnects == 6 == len(opener.targets) - 1
    # Back-off doubles, is capped, and starts over once frames flowed again.
    assert logged_delays(caplog) == [0.01, 0.02, 0.03, 0.01, 0.02, 0.03]
    gaps = np.diff(opener.times)
    assert all(gap >= want - 0.002 for gap, want in zip(gaps[:3], [0.01, 0.02, 0.03], strict=True))
    assert source.error is not None and "lost" in source.error
    assert all(c.released for c in opener.captures)


def test_reconnects_after_the_stream_ends_and_keeps_counting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="lfr.ingest")
    opener = ScriptedOpener([2, 2, 2], delay_s=0.005)
    source = StreamSource(URL, backoff_initial_s=0.005, max_reconnects=0, opener=opener)
    frames = list(source.frames())
    assert source.stats().frames_read == 2  # max_reconnects=0: no reopen after the end
    assert source.stats().reconnects == 0

    opener = ScriptedOpener([2, 2, 2], delay_s=0.005)
    source = StreamSource(URL, backoff_initial_s=0.005, max_reconnects=1, opener=opener)
    frames = list(source.frames())
    stats = source.stats()
    assert stats.frames_read == 6
    assert stats.reconnects == 3  # 2 successful reopens + 1 that failed
    indices = [f.index for f in frames]
    assert indices == sorted(set(indices)) and indices[-1] == 5  # index runs across reconnects
    times = [f.time_s for f in frames]
    assert times == sorted(times) and times[0] >= 0.0
    assert any("reconnected" in r.getMessage() for r in caplog.records)


def test_first_open_fails_and_retries_are_exhausted() -> None:
    opener = ScriptedOpener([])
    source = StreamSource(URL, backoff_initial_s=0.001, max_reconnects=2, opener=opener)
    assert list(source.frames()) == []
    assert len(opener.targets) == 3 and source.stats().reconnects == 2
    assert source.error is not None and "could not be opened" in source.error
    assert not source.running


def test_logs_and_errors_never_contain_credentials(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="lfr.ingest")

    def leaky_opener(target: str | int) -> CaptureLike:
        # Decoders like to quote what they were given, password included.
        raise RuntimeError(f"cannot open {target} (user admin, password s3cretpw)")

    source = StreamSource(URL, backoff_initial_s=0.001, max_reconnects=1, opener=leaky_opener)
    assert list(source.frames()) == []
    opener = ScriptedOpener([1])
    other = StreamSource(URL, backoff_initial_s=0.001, max_reconnects=1, opener=opener)
    list(other.frames())

    text = "\n".join(r.getMessage() for r in caplog.records)
    text += f"\n{source.error}\n{source.description}\n{source.camera}\n{other.error}"
    assert "10.0.0.5" in text and "***" in text and "RuntimeError" in text
    for secret in SECRETS:
        assert secret not in text
    assert opener.targets[0] == URL  # the real URL still reaches the decoder


def test_close_stops_the_reader_promptly() -> None:
    opener = ScriptedOpener([10**9], delay_s=0.001)  # an endless stream
    source = StreamSource("rtsp://cam/s", opener=opener)
    iterator = source.frames()
    first = [next(iterator).index for _ in range(3)]
    assert first == sorted(first)
    source.close(join_s=PATIENCE_S)  # the stream never ends: only close() can stop its reader
    assert not source.running
    assert len(list(iterator)) <= 1
    assert opener.captures[0].released


def test_close_interrupts_a_long_backoff(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="lfr.ingest")
    opener = ScriptedOpener([])
    source = StreamSource("rtsp://cam/s", backoff_initial_s=600.0, opener=opener)
    source.start()
    # The open failed and the reader has begun to wait out a 10-minute back-off.
    wait_until(lambda: logged_delays(caplog) == [600.0], what="the back-off")
    assert source.running
    source.close(join_s=PATIENCE_S)
    assert not source.running  # woken by close(), 9 minutes early
    assert len(opener.targets) == 1


def test_slow_consumer_sees_latest_frames_and_drops_are_counted() -> None:
    opener = ScriptedOpener([60], delay_s=0.002)
    source = StreamSource(0, opener=opener, max_reconnects=0)
    got = []
    for frame in source.frames():
        got.append(frame)
        # Slower than the camera on any machine: the next frame is taken only once the reader
        # has read three more, so two of them met a full slot (it counts a frame, then offers it).
        ahead = min(frame.index + 4, 60)
        wait_until(lambda ahead=ahead: source.stats().frames_read >= ahead)
    stats = source.stats()
    assert stats.frames_read == 60 and stats.frames_dropped > 0
    assert len(got) + stats.frames_dropped == 60
    assert opener.targets == [0] and source.camera == "webcam0"
    red, green, blue = (int(v) for v in got[0].image[0, 0])
    assert (red, green, blue) == (0, 0, 255)  # BGR from the decoder, RGB out


def test_default_opencv_opener_reads_a_local_file(make_video: Callable[..., Path]) -> None:
    # OpenCV opens a file path through the same call as a URL: exercises the real opener
    # (with its time-out parameters) without any network.
    source = StreamSource(str(make_video(frames=8)), max_reconnects=0)
    frames = list(source.frames())
    stats = source.stats()
    assert stats.frames_read == 8 and len(frames) + stats.frames_dropped == 8
    assert frames[-1].image.shape == (48, 64, 3)
