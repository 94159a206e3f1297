"""Opening a deployment's camera specs as frame sources."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator

from lfr.domain import Image
from lfr.ingest import factory
from lfr.ingest.base import FrameSource
from lfr.ingest.synthetic import SyntheticClipSource

SourceOpener = Callable[[str, str], FrameSource]
"""(source spec, camera name) -> an open frame source."""


def open_camera(spec: str, camera: str) -> FrameSource:
    """Sources as they are: a video file is read as fast as the engine goes."""
    return factory.open_source(spec, camera=camera)


class LoopingDemoClip(SyntheticClipSource):
    """The built-in demo clip played like a live camera, over and over (the engine's per-subject
    cool-down makes that one alert a minute, not one a loop)."""

    def __init__(self, camera: str) -> None:
        super().__init__(camera=camera, realtime=True)

    def _images(self) -> Generator[Image, None, None]:
        for index in itertools.count():
            yield self.render(index % self.n_frames)


def open_live(spec: str, camera: str) -> FrameSource:
    """Sources as live cameras: ``demo`` loops the demo clip, video files play at their own
    pace (frames the engine cannot keep up with are dropped), streams are live anyway."""
    if spec.strip() == factory.DEMO:
        return LoopingDemoClip(camera)
    return factory.open_source(spec, camera=camera, realtime=True)
