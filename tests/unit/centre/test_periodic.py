"""The one periodic-job helper behind the schedule enforcer, the purge and the head publisher."""

from __future__ import annotations

import threading
import time

import pytest

from lfr.centre.periodic import PeriodicJob


def test_it_runs_at_once_then_every_interval_and_stops_for_good() -> None:
    ran = threading.Semaphore(0)
    count = [0]

    def job() -> None:
        count[0] += 1
        ran.release()

    with PeriodicJob("test-job", job, every_s=0.01) as periodic:
        assert ran.acquire(timeout=5) and ran.acquire(timeout=5)  # at once, then again
        assert periodic.running
    assert not periodic.running
    stopped_at = count[0]
    time.sleep(0.1)  # ten intervals
    assert count[0] == stopped_at  # stopped means stopped


def test_the_job_may_stop_its_own_thread() -> None:
    holder: list[PeriodicJob] = []
    done = threading.Event()

    def job() -> None:
        holder[0].stop()  # must not join itself (it would deadlock)
        done.set()

    holder.append(PeriodicJob("self-stop", job, every_s=60.0))
    holder[0].start()
    assert done.wait(5)


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        PeriodicJob("bad", lambda: None, every_s=0)
