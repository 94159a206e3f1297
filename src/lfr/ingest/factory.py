"""Turn the user's ``--source`` string into a frame source."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from lfr.config import ImageLimits
from lfr.errors import SourceError
from lfr.ingest.base import FrameSource
from lfr.ingest.image_folder import ImageFolderSource
from lfr.ingest.redact import redact_url
from lfr.ingest.stream import StreamSource
from lfr.ingest.synthetic import demo_clip_source
from lfr.ingest.video_file import VideoFileSource

DEMO = "demo"
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https", "rtmp", "udp", "tcp"})


def open_source(
    spec: str,
    camera: str | None = None,
    realtime: bool = False,
    image_limits: ImageLimits | None = None,
) -> FrameSource:
    """``demo`` | webcam index (``0``) | stream URL | image folder | video file.

    ``realtime`` paces files and the demo like a live camera (dropping what the pipeline cannot
    keep up with); streams and webcams are always live, image folders never (their images are
    checked against ``image_limits`` before decoding).
    """
    spec = spec.strip()
    if spec == DEMO:
        return demo_clip_source(camera=camera or DEMO, realtime=realtime)
    if spec.isdigit():
        index = int(spec)
        return StreamSource(index, camera=camera or f"webcam{index}")
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    if scheme in STREAM_SCHEMES:
        return StreamSource(spec, camera=camera or _camera_from_url(spec))
    path = Path(spec).expanduser()
    if path.is_dir():
        name = camera or path.resolve().name or "images"
        return ImageFolderSource(path, camera=name, limits=image_limits)
    if not path.exists():
        raise SourceError(f"no such file or directory: {redact_url(spec)}")
    return VideoFileSource(path, camera=camera or path.stem or "file", realtime=realtime)


def _camera_from_url(url: str) -> str:
    # From the redacted URL, so a credential can never become a camera name.
    try:
        host = urlsplit(redact_url(url)).hostname
    except ValueError:
        host = None
    return host or "stream"
