from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from lfr.errors import SourceError
from lfr.ingest.factory import open_source
from lfr.ingest.image_folder import ImageFolderSource
from lfr.ingest.stream import StreamSource
from lfr.ingest.synthetic import SyntheticClipSource
from lfr.ingest.video_file import VideoFileSource


def test_demo() -> None:
    source = open_source("demo")
    assert isinstance(source, SyntheticClipSource) and source.camera == "demo"
    assert isinstance(open_source("demo", realtime=True), SyntheticClipSource)


def test_webcam_index_opens_nothing_until_read() -> None:
    source = open_source("1")
    assert isinstance(source, StreamSource)
    assert source.target == 1 and source.camera == "webcam1"
    assert not source.running


@pytest.mark.parametrize(
    "url",
    [
        "rtsp://admin:pw123@cam.local:554/Streaming/101",
        "RTSPS://admin:pw123@cam.local/s",
        "http://admin:pw123@cam.local/mjpg?token=pw123",
        "https://cam.local/live",
        "rtmp://cam.local/live",
        "udp://cam.local:1234",
        "tcp://cam.local:1234",
    ],
)
def test_stream_urls(url: str) -> None:
    source = open_source(url)
    assert isinstance(source, StreamSource)
    assert source.target == url
    assert source.camera == "cam.local"
    assert "pw123" not in source.description


def test_camera_name_override() -> None:
    assert open_source("rtsp://cam.local/s", camera="gate").camera == "gate"


def test_directory_of_images(tmp_path: Path) -> None:
    folder = tmp_path / "stills"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), np.zeros((4, 4, 3), np.uint8))
    source = open_source(str(folder))
    assert isinstance(source, ImageFolderSource) and source.camera == "stills"


def test_video_file(make_video: Callable[..., Path]) -> None:
    path = make_video("entrance.mp4", frames=3)
    source = open_source(str(path), realtime=True)
    assert isinstance(source, VideoFileSource)
    assert source.camera == "entrance" and source.realtime
    offline = open_source(str(path))
    assert isinstance(offline, VideoFileSource) and not offline.realtime


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no such file or directory: .*missing\.mp4"):
        open_source(str(tmp_path / "missing.mp4"))


def test_unsupported_scheme_is_a_missing_file_and_redacted() -> None:
    with pytest.raises(SourceError) as info:
        open_source("ftp://bob:hunter2@files.local/clip.mp4")
    assert "hunter2" not in str(info.value) and "files.local" in str(info.value)
