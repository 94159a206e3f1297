"""Fakes for running a deployment's cameras without weights: a camera that shows one face per
frame (a watchlist match or a stranger) and an engine of fake models that reads it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lfr.config import EngineConfig
from lfr.domain import Box, Detection, Frame, Image
from lfr.ingest.base import SourceStats
from lfr.pipeline.engine import Engine
from tests.unit.fakes import FakeAligner, FakeEmbedder, frame_with_faces

BOX = Box(100, 100, 200, 200)
MATCH, STRANGER = 10, 20  # marker codes the fake aligner reads and the fake embedder maps
VECTORS = {MATCH: [1.0, 0.0, 0.0, 0.0], STRANGER: [0.5, 0.5, 0.5, 0.5]}  # WL-0000 is e_0


class OneFaceDetector:
    name = "one-face"

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        return [Detection(BOX, 1.0)]


class FakeCamera:
    still_images = False
    description = "fake camera"

    def __init__(
        self,
        camera: str,
        code: int,
        limit: int = 40,
        on_frame: Callable[[int], None] | None = None,
    ) -> None:
        self.camera, self.code, self.limit, self.on_frame = camera, code, limit, on_frame
        self.read = 0
        self.closed = False

    def frames(self) -> Iterator[Frame]:
        for index in range(self.limit):
            if self.on_frame is not None:
                self.on_frame(index)
            self.read = index + 1
            yield frame_with_faces(index, [(BOX, self.code)])

    def stats(self) -> SourceStats:
        return SourceStats(self.read, 0, 0)

    def close(self) -> None:
        self.closed = True


def fake_engine() -> Engine:
    return Engine(EngineConfig(), OneFaceDetector(), FakeAligner(), FakeEmbedder(VECTORS))
