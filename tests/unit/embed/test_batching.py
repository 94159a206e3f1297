"""The embedding service: batches across callers, each caller gets its own rows, failures
reach the callers, closing finishes the queue (fakes, no weights)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from lfr.domain import AlignedFace
from lfr.embed.batching import BatchingEmbedder
from tests.unit.fakes import CONTRACT

DIM = CONTRACT.dimension


def face(code: int) -> AlignedFace:
    chip = np.full((4, 4, 3), code, np.uint8)
    return AlignedFace(chip=chip, landmarks=np.zeros((5, 2), np.float32))


class CodeEmbedder:
    """Each face's vector is its code in every component; the first call can be held."""

    def __init__(self, hold_first: bool = False) -> None:
        self.contract = CONTRACT
        self.calls: list[int] = []
        self.release = threading.Event()
        self.started = threading.Event()
        if not hold_first:
            self.release.set()

    def embed(self, faces: list[AlignedFace]) -> np.ndarray:
        self.started.set()
        self.release.wait(30)
        self.calls.append(len(faces))
        return np.array([[float(f.chip[0, 0, 0])] * DIM for f in faces], np.float32)


def test_each_caller_gets_its_own_rows_in_order() -> None:
    service = BatchingEmbedder(CodeEmbedder())
    try:
        futures = [service.submit([face(i), face(i + 100)]) for i in range(1, 6)]
        for i, future in enumerate(futures, start=1):
            rows = future.result(30)
            assert rows.shape == (2, DIM)
            assert rows[0, 0] == i and rows[1, 0] == i + 100
    finally:
        service.close()


def test_requests_waiting_behind_a_batch_go_together_in_the_next() -> None:
    inner = CodeEmbedder(hold_first=True)
    service = BatchingEmbedder(inner, max_batch=8, max_wait_s=0.0)
    try:
        first = service.submit([face(1)])
        assert inner.started.wait(30)
        waiting = [service.submit([face(code)]) for code in range(2, 7)]
        inner.release.set()
        assert [f.result(30)[0, 0] for f in [first, *waiting]] == [1, 2, 3, 4, 5, 6]
        assert inner.calls == [1, 5]  # five single-face requests, one batch
    finally:
        service.close()


def test_a_batch_closes_at_max_batch_faces() -> None:
    inner = CodeEmbedder(hold_first=True)
    service = BatchingEmbedder(inner, max_batch=3, max_wait_s=0.0)
    try:
        first = service.submit([face(1)])
        assert inner.started.wait(30)
        waiting = [service.submit([face(code)]) for code in range(2, 9)]
        inner.release.set()
        for future in [first, *waiting]:
            future.result(30)
        assert inner.calls[0] == 1 and all(n <= 3 for n in inner.calls)
        assert sum(inner.calls) == 8
    finally:
        service.close()


class FailingOnce(CodeEmbedder):
    def embed(self, faces: list[AlignedFace]) -> np.ndarray:
        if not self.calls:
            self.calls.append(-1)
            raise RuntimeError("device lost")
        return super().embed(faces)


def test_a_failure_reaches_its_callers_and_the_service_goes_on() -> None:
    service = BatchingEmbedder(FailingOnce())
    try:
        with pytest.raises(RuntimeError, match="device lost"):
            service.submit([face(1)]).result(30)
        assert service.submit([face(2)]).result(30)[0, 0] == 2
    finally:
        service.close()


def test_closing_finishes_the_queue_then_refuses() -> None:
    inner = CodeEmbedder(hold_first=True)
    service = BatchingEmbedder(inner)
    pending = [service.submit([face(code)]) for code in (1, 2, 3)]
    inner.release.set()
    service.close()
    assert [f.result(0)[0, 0] for f in pending] == [1, 2, 3]
    with pytest.raises(RuntimeError, match="closed"):
        service.submit([face(4)])


def test_a_cameras_handle_does_not_close_the_shared_service() -> None:
    service = BatchingEmbedder(CodeEmbedder())
    try:
        handle = service.shared()
        assert handle.contract == CONTRACT
        handle.close()
        assert handle.embed([face(7)])[0, 0] == 7
    finally:
        service.close()


def test_nothing_to_embed_is_answered_at_once() -> None:
    service = BatchingEmbedder(CodeEmbedder())
    try:
        assert service.submit([]).result(0).shape == (0, DIM)
    finally:
        service.close()
