"""Fakes for the model seams: deterministic, instant, no weights needed.

A frame "shows" a face by a marker pixel at the box's top-left corner whose red value is the
identity code; the fake embedder maps that code to a fixed vector.
"""

from __future__ import annotations

import numpy as np

from lfr.domain import AlignedFace, Box, Detection, EmbeddingContract, Frame, Image, Subject

CONTRACT = EmbeddingContract("fake-model", "0" * 64, 4, "fake")
RNG_SEED = 7


def frontal_landmarks(box: Box) -> np.ndarray:
    cx, cy, w = (box.left + box.right) / 2, (box.top + box.bottom) / 2, box.width
    return np.array(
        [
            [cx - 0.35 * w, cy - 0.1 * w],
            [cx - 0.15 * w, cy - 0.1 * w],
            [cx + 0.15 * w, cy - 0.1 * w],
            [cx + 0.35 * w, cy - 0.1 * w],
            [cx, cy + 0.15 * w],
        ],
        dtype=np.float32,
    )


class FakeAligner:
    def __init__(self) -> None:
        self._rng = np.random.default_rng(RNG_SEED)

    def align(self, image: Image, box: Box) -> AlignedFace:
        chip = self._rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)  # sharp texture
        chip[0, 0, 0] = image[int(box.top), int(box.left), 0]
        return AlignedFace(chip=chip, landmarks=frontal_landmarks(box))


class FakeEmbedder:
    def __init__(self, vectors: dict[int, list[float]]) -> None:
        self.contract = CONTRACT
        self.vectors = vectors
        self.calls = 0

    def embed(self, faces: list[AlignedFace]) -> np.ndarray:
        self.calls += len(faces)
        return np.array([self.vectors[int(f.chip[0, 0, 0])] for f in faces], dtype=np.float32)


def frame_with_faces(index: int, faces: list[tuple[Box, int]], fps: float = 25.0) -> Frame:
    image = np.zeros((360, 640, 3), np.uint8)
    for box, code in faces:
        image[int(box.top), int(box.left), 0] = code
    return Frame(image=image, index=index, time_s=index / fps, camera="cam", captured_at=1.0)


def detections(faces: list[tuple[Box, int]]) -> list[Detection]:
    return [Detection(box, 1.0) for box, _ in faces]


def subject(ref: str) -> Subject:
    return Subject(reference=ref, display_name=ref.title())


class OneBoxDetector:
    """Finds one face, at ``box``, in any image (enrolment tests)."""

    name = "one-box"

    def __init__(self, box: Box) -> None:
        self.box = box

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        return [Detection(self.box, 1.0)]
