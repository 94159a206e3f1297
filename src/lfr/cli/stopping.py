"""Ctrl-C (SIGINT) and SIGTERM (how systemd and containers stop a service) as a clean stop.

A long-running command (``lfr run``, ``lfr demo``, ``lfr deployment run``, ``lfr serve``,
``lfr purge --every``) runs inside ``stop_on_signals``: the first signal asks it to stop, it
closes its sources, stores its counts, prints its summary and exits with the conventional code
of the signal, 128 + its number: 130 after SIGINT, 143 after SIGTERM (for systemd, add
``SuccessExitStatus=143`` to the unit if a stop should not count as a failure). A second
signal gives up on the clean stop ("lfr: interrupted", 130).

Every other command gets ``terminate_as_interrupt``: SIGTERM unwinds it like Ctrl-C (its
``finally`` blocks run, its database is closed) and it exits 143 with one line, rather than
dying on the spot.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Final

SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command was, so that it unwinds like Ctrl-C."""


def exit_code(signum: int) -> int:
    """The shell's convention for a process ended by a signal: 128 + its number."""
    return 128 + signum


def signal_name(signum: int) -> str:
    return "SIGINT (Ctrl-C)" if signum == signal.SIGINT else signal.Signals(signum).name


class StopRequest:
    """Set by the first SIGINT or SIGTERM; long-running work polls it or is told through
    ``on_stop`` (e.g. to close a stream that is waiting for its next frame)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        return self.event.is_set()

    def wait(self, timeout: float) -> bool:
        return self.event.wait(timeout)

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on a helper thread) once a stop is asked for; at once if it was."""
        with self._lock:
            self._callbacks.append(callback)
            asked = self.event.is_set()
        if asked:
            _in_background([callback])

    def request(self, signum: int) -> None:
        """What the signal handler does: the first time, stop cleanly; the second, give up."""
        with self._lock:
            again = self.event.is_set()
            if not again:
                self.signum = signum
                self.event.set()
                callbacks = list(self._callbacks)
        if again:
            raise KeyboardInterrupt
        _in_background(callbacks)

    @property
    def code(self) -> int:
        """The exit code: 128 + the signal's number, or 0 when none came."""
        return exit_code(self.signum) if self.signum is not None else 0

    @property
    def note(self) -> str:
        return f"stopped by {signal_name(self.signum)}" if self.signum is not None else ""


@contextmanager
def stop_on_signals(request: StopRequest | None = None) -> Iterator[StopRequest]:
    """SIGINT and SIGTERM set ``request`` (a new one if not given), yielded, instead of
    interrupting (only the main thread can handle signals; elsewhere nothing is installed)."""
    request = request or StopRequest()
    with _handlers(lambda signum, _frame: request.request(signum)):
        yield request


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` (a KeyboardInterrupt) in the main thread."""

    def raise_terminated(signum: int, _frame: FrameType | None) -> None:
        raise Terminated

    with _handlers(raise_terminated, (signal.SIGTERM,)):
        yield


@contextmanager
def _handlers(
    handler: Callable[[int, FrameType | None], object],
    signals: tuple[signal.Signals, ...] = SIGNALS,
) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Handler] = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, signal.SIG_DFL if old is None else old)


def _in_background(callbacks: list[Callable[[], None]]) -> None:
    """Run callbacks off the signal handler: they may take locks the interrupted code holds."""
    if callbacks:
        threading.Thread(
            target=lambda: [callback() for callback in callbacks], name="lfr-stop", daemon=True
        ).start()
