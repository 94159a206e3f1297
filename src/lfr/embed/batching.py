"""One embedding service per process: descriptors batched across tracks and cameras.

Cameras ``submit`` aligned faces and go on taking frames; one thread gathers what is waiting
into a batch (closed at ``max_batch`` faces, or ``max_wait_s`` after its first face), runs the
inner embedder once and hands each caller its rows. A batch of 8 costs about half as much a
face as 8 single calls on ONNX Runtime, which also releases the GIL while it computes. The queue
is bounded: when it is full a camera waits, and its live source drops frames (latest frame
wins) rather than memory growing. Faces exist only in memory here, as everywhere.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lfr.domain import AlignedFace, EmbeddingContract
from lfr.embed.base import Embedder

log = logging.getLogger(__name__)
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class _Request:
    faces: list[AlignedFace]
    future: Future[Floats]


_STOP = None


class BatchingEmbedder:
    """An ``AsyncEmbedder`` around any embedder whose ``embed`` may run on another thread."""

    def __init__(
        self,
        inner: Embedder,
        max_batch: int = 8,
        max_wait_s: float = 0.005,
        max_queued: int = 64,
    ) -> None:
        if max_batch < 1 or max_queued < 1 or max_wait_s < 0:
            raise ValueError("max_batch and max_queued must be positive, max_wait_s >= 0")
        self.contract: EmbeddingContract = inner.contract
        self._inner = inner
        self._max_batch = max_batch
        self._max_wait_s = max_wait_s
        self._queue: queue.Queue[_Request | None] = queue.Queue(maxsize=max_queued)
        self._closed = threading.Event()
        self.batches = 0
        """Batches run so far (for benchmarks and tests: counts only)."""
        self._thread = threading.Thread(target=self._serve, name="lfr-embedder", daemon=True)
        self._thread.start()

    def submit(self, faces: list[AlignedFace]) -> Future[Floats]:
        future: Future[Floats] = Future()
        if not faces:
            future.set_result(np.zeros((0, self.contract.dimension), np.float32))
            return future
        if self._closed.is_set():
            raise RuntimeError("the embedding service is closed")
        self._queue.put(_Request(list(faces), future))
        return future

    def embed(self, faces: list[AlignedFace]) -> Floats:
        return self.submit(faces).result()

    def close(self) -> None:
        """Finish what is queued, then stop the service thread."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._queue.put(_STOP)
        self._thread.join()
        self._refuse_left_over()

    def _refuse_left_over(self) -> None:
        """A request that slipped in behind the stop is refused, never left waiting."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                item.future.set_exception(RuntimeError("the embedding service is closed"))

    def shared(self) -> SharedEmbedder:
        """A handle for one camera: closing it leaves the service running for the others."""
        return SharedEmbedder(self)

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch, stop = self._gather(first)
            self._run(batch)
            if stop:
                return

    def _gather(self, first: _Request) -> tuple[list[_Request], bool]:
        """Requests up to ``max_batch`` faces, waiting at most ``max_wait_s`` for more."""
        batch, faces = [first], len(first.faces)
        deadline = time.monotonic() + self._max_wait_s
        while faces < self._max_batch:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True
            batch.append(item)
            faces += len(item.faces)
        return batch, False

    def _run(self, batch: list[_Request]) -> None:
        self.batches += 1
        try:
            vectors = self._inner.embed([face for request in batch for face in request.faces])
        except Exception as exc:  # every caller learns of it; the service keeps serving
            log.error("embedding a batch of %d requests failed: %s", len(batch), exc)
            for request in batch:
                request.future.set_exception(exc)
            return
        start = 0
        for request in batch:
            end = start + len(request.faces)
            request.future.set_result(vectors[start:end])
            start = end


class SharedEmbedder:
    """One camera's view of a ``BatchingEmbedder`` owned by the composition root."""

    def __init__(self, service: BatchingEmbedder) -> None:
        self.contract: EmbeddingContract = service.contract
        self._service = service

    def submit(self, faces: list[AlignedFace]) -> Future[Floats]:
        return self._service.submit(faces)

    def embed(self, faces: list[AlignedFace]) -> Floats:
        return self._service.embed(faces)

    def close(self) -> None:
        """The owner closes the service; a camera stopping does not."""
