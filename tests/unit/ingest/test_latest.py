from __future__ import annotations

import threading
import time

import numpy as np

from lfr.domain import Frame
from lfr.ingest.latest import LatestFrameSlot
from tests.waiting import PATIENCE_S


def frame(index: int) -> Frame:
    return Frame(np.zeros((2, 2, 3), np.uint8), index, float(index), "cam")


def test_put_overwrites_untaken_frame_and_counts_drop() -> None:
    slot = LatestFrameSlot()
    for i in range(3):
        assert slot.put(frame(i))
        assert slot.pending == 1
    assert slot.dropped == 2
    got = slot.get(timeout=0)
    assert got is not None and got.index == 2
    assert slot.pending == 0
    assert slot.get(timeout=0) is None
    assert slot.put_count == 3


def test_get_times_out() -> None:
    slot = LatestFrameSlot()
    start = time.monotonic()
    assert slot.get(timeout=0.05) is None
    assert time.monotonic() - start >= 0.04


def test_close_wakes_a_waiter_and_refuses_frames() -> None:
    slot = LatestFrameSlot()
    results: list[Frame | None] = []
    # The waiter's own time-out is far beyond the join below: only close() can end it in time.
    waiter = threading.Thread(
        target=lambda: results.append(slot.get(timeout=10 * PATIENCE_S)), daemon=True
    )
    waiter.start()
    time.sleep(0.05)  # let it block in get(); were it not there yet, close() must still end it
    slot.close()
    waiter.join(PATIENCE_S)
    assert not waiter.is_alive()
    assert results == [None]
    assert slot.put(frame(0)) is False
    assert slot.closed


def test_frame_put_before_close_is_still_delivered() -> None:
    slot = LatestFrameSlot()
    slot.put(frame(7))
    slot.close()
    assert [f.index for f in slot.drain(poll_s=0.01)] == [7]


def test_concurrent_producer_accounts_for_every_frame() -> None:
    slot = LatestFrameSlot()
    total = 2000

    def produce() -> None:
        for i in range(total):
            slot.put(frame(i))
        slot.close()

    producer = threading.Thread(target=produce)
    producer.start()
    taken = [f.index for f in slot.drain(poll_s=0.01)]
    producer.join()
    assert taken == sorted(taken) and len(set(taken)) == len(taken)
    assert taken[-1] == total - 1  # the latest frame wins
    assert len(taken) + slot.dropped == total
