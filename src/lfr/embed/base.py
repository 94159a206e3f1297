"""The embedding seams: align a detected face, then turn aligned faces into vectors."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt

from lfr.domain import AlignedFace, Box, EmbeddingContract, Image

ReferenceChips: TypeAlias = Callable[[], list[Image]]
"""Aligned chips of a real face made by dlib, for a backend to check itself against (see
``lfr.embed.registry``)."""


class Aligner(Protocol):
    """Finds landmarks inside a box and cuts out the face chip the embedder expects."""

    def align(self, image: Image, box: Box) -> AlignedFace: ...


class Embedder(Protocol):
    """Turns aligned face chips into descriptors under one embedding contract."""

    contract: EmbeddingContract

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        """Return an array of shape (len(faces), contract.dimension)."""
        ...


@runtime_checkable
class AsyncEmbedder(Embedder, Protocol):
    """An embedder that can compute elsewhere (another process) while the caller goes on."""

    def submit(self, faces: list[AlignedFace]) -> Future[npt.NDArray[np.float32]]: ...

    def close(self) -> None: ...
