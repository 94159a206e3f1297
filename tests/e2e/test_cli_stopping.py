"""Stopping ``lfr run`` on a live stream (``lfr.cli.stopping``): Ctrl-C (SIGINT) or SIGTERM
closes the stream, the summary is printed, and the exit code is the signal's convention (130,
143), with the real models on a live MJPEG stream of the real clip."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from tests.e2e.conftest import CLIP, LIN
from tests.e2e.mjpeg import MjpegCamera
from tests.waiting import PATIENCE_S, wait_until

STARTUP_S = 180.0
"""The models load and the watchlist is enrolled before the stream is opened."""


def _clip_jpegs(count: int = 50) -> list[bytes]:
    capture = cv2.VideoCapture(str(CLIP))
    frames = []
    while len(frames) < count:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(cv2.imencode(".jpg", frame)[1].tobytes())
    capture.release()
    return frames


@pytest.mark.parametrize(
    ("signum", "code", "name"),
    [(signal.SIGINT, 130, "SIGINT (Ctrl-C)"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_lfr_run_on_a_live_stream_stops_cleanly_on_a_signal(
    data: Path, tmp_path: Path, signum: int, code: int, name: str
) -> None:
    watchlist = tmp_path / "watchlist"
    watchlist.mkdir()
    (watchlist / LIN).symlink_to(data / "faces" / LIN)
    env = {**os.environ, "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    with MjpegCamera(_clip_jpegs()) as camera:
        command = ["run", camera.url, "--watchlist-dir", str(watchlist), "--json"]
        process = subprocess.Popen(
            [sys.executable, "-m", "lfr", *command],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until(
                lambda: camera.sent >= 50 or process.poll() is not None,
                timeout=STARTUP_S,
                what="the stream being read",
            )
            assert process.poll() is None, process.communicate()
            process.send_signal(signum)
            out, err = process.communicate(timeout=PATIENCE_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == code, err
    summary = json.loads(out.splitlines()[-1])
    assert summary["type"] == "summary" and summary["frames"] > 0
    assert f"lfr: stopped by {name}" in err and "Traceback" not in err
