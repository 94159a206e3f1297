"""One background job on a daemon thread: run at once, then every ``every_s`` seconds until
stopped. The schedule enforcer, the retention purge and the audit-head publisher are each
one (subclasses giving their job), so start, stop and the loop are written once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self


class PeriodicJob:
    """``job`` must not raise: each owner logs and counts its own failures, so that one bad
    run never stops the next."""

    def __init__(self, name: str, job: Callable[[], object], every_s: float) -> None:
        if every_s <= 0:
            raise ValueError("every_s must be positive")
        self._name = name
        self._job = job
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float | None = 10.0) -> None:
        """Stop after the run in progress; returns at once when called from the job itself."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._job()
            self._stop.wait(self.every_s)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
