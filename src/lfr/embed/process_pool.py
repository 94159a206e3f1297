"""Compute descriptors in a separate process, so the camera never stops taking frames.

dlib's descriptor holds the GIL for 80-110 ms a face. In the camera's own process that stalls
the frame reader, and a live stream loses the frames that arrive meanwhile. Here the chips go
to one worker process through a pipe (in memory only: nothing is written) and come back as
vectors; the worker keeps tracking while the descriptor is computed on the other core.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lfr.domain import AlignedFace, EmbeddingContract, Image
from lfr.embed.dlib_resnet import DlibEmbedder

_worker_embedder: DlibEmbedder | None = None
"""Set only inside the worker process, by its initializer (never at import)."""


def _load(weights: str, weights_sha256: str) -> None:
    global _worker_embedder
    _worker_embedder = DlibEmbedder(Path(weights), weights_sha256)


def _embed_chips(chips: list[Image]) -> npt.NDArray[np.float32]:
    if _worker_embedder is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("embedding worker was not initialised")
    empty = np.zeros((0, 2), np.float32)
    return _worker_embedder.embed([AlignedFace(chip, empty) for chip in chips])


class ProcessEmbedder:
    """dlib's ResNet descriptor in one worker process; same contract as ``DlibEmbedder``."""

    def __init__(self, weights: Path, weights_sha256: str) -> None:
        self.contract: EmbeddingContract = DlibEmbedder.contract_for(weights_sha256)
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(str(weights), weights_sha256),
        )

    def submit(self, faces: list[AlignedFace]) -> Future[npt.NDArray[np.float32]]:
        return self._pool.submit(_embed_chips, [f.chip for f in faces])

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        return self.submit(faces).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
