"""Enrolment photos on disk and stand-in models for the enrolment tests (no weights).

A photo "shows" the face coded ``code`` by a marker pixel at the face box's top-left corner
(red = code); ``FakeAligner`` copies it into the chip and ``RecordingEmbedder`` turns it into
a vector, so each template can be traced back to its photo.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lfr.config import EngineConfig
from lfr.domain import AlignedFace, Box, Detection, Image
from lfr.enrol.folder import Enroller
from tests.unit.fakes import CONTRACT, FakeAligner
from tests.unit.image_bytes import encoded

FACE = Box(10, 10, 110, 110)
NO_FACE = 0
"""A photo whose marker is 0 shows no face (the fake detector finds none)."""


def write_photo(path: Path, code: int) -> Path:
    pixels = np.zeros((160, 160, 3), np.uint8)
    pixels[int(FACE.top), int(FACE.left), 0] = code
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encoded(pixels, "PNG"))
    return path


def code_of(image: Image) -> int:
    return int(image[int(FACE.top), int(FACE.left), 0])


class FakeDetector:
    """Finds FACE in every photo with a marker. ``hold``: photo code -> an event its detection
    waits for (to hold a worker); ``after``: called with each code once its detection is done."""

    name = "fake"

    def __init__(
        self,
        hold: dict[int, threading.Event] | None = None,
        after: Callable[[int], None] = lambda code: None,
    ) -> None:
        self.calls: list[tuple[int, int]] = []
        self.finished: list[int] = []
        self.threads: set[int] = set()
        self._hold = hold or {}
        self._after = after

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        code = code_of(image)
        self.calls.append((code, upsample))
        self.threads.add(threading.get_ident())
        if code in self._hold and not self._hold[code].wait(timeout=30):
            raise AssertionError(f"photo {code} was held and never released")
        self.finished.append(code)
        self._after(code)
        return [] if code == NO_FACE else [Detection(FACE, 1.0)]


class RecordingEmbedder:
    """Vector [code, 0, 0, 0] for a chip marked ``code``; remembers each call's size."""

    def __init__(self) -> None:
        self.contract = CONTRACT
        self.call_sizes: list[int] = []

    def embed(self, faces: list[AlignedFace]) -> np.ndarray:
        self.call_sizes.append(len(faces))
        return np.array([[float(f.chip[0, 0, 0]), 0, 0, 0] for f in faces], np.float32)


def enroller(
    detector: FakeDetector, embedder: RecordingEmbedder, config: EngineConfig | None = None
) -> Enroller:
    return Enroller(detector, FakeAligner(), embedder, config or EngineConfig())
