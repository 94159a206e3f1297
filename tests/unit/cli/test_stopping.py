"""SIGINT and SIGTERM as a clean stop (``lfr.cli.stopping``), with real signals sent to this
process inside the contexts under test."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from lfr.cli.main import main
from lfr.cli.stopping import (
    StopRequest,
    Terminated,
    exit_code,
    stop_on_signals,
    terminate_as_interrupt,
)
from tests.waiting import wait_until


def _send(signum: int) -> None:
    os.kill(os.getpid(), signum)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_the_first_signal_asks_for_a_stop_and_the_second_gives_up(signum: int, code: int) -> None:
    before = signal.getsignal(signum)
    closed = threading.Event()
    with stop_on_signals() as stop:
        stop.on_stop(closed.set)
        assert not stop.is_set() and stop.code == 0
        _send(signum)
        wait_until(closed.is_set, what="the stop callbacks")
        assert stop.is_set() and stop.code == code == exit_code(signum)
        assert stop.note.startswith("stopped by SIG")
        with pytest.raises(KeyboardInterrupt):
            _send(signum)
            threading.Event().wait(1.0)  # the handler runs as soon as the signal arrives
    assert signal.getsignal(signum) == before


def test_a_callback_registered_after_the_stop_runs_at_once() -> None:
    stop = StopRequest()
    stop.request(signal.SIGTERM)
    late = threading.Event()
    stop.on_stop(late.set)
    wait_until(late.is_set, what="the late callback")


def test_sigterm_unwinds_any_other_command_like_ctrl_c() -> None:
    cleaned = []
    with pytest.raises(Terminated), terminate_as_interrupt():
        try:
            _send(signal.SIGTERM)
            threading.Event().wait(1.0)
        finally:
            cleaned.append("finally ran")
    assert cleaned == ["finally ran"]


def test_main_exits_143_with_one_line_on_sigterm(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def killed(_args: object) -> int:
        _send(signal.SIGTERM)
        threading.Event().wait(1.0)
        return 0

    monkeypatch.setattr("lfr.cli.engine.scan.show_command", killed)
    code = main(["watchlist", "show", "missing.npz"])
    assert code == 143 and capsys.readouterr().err == "lfr: stopped by SIGTERM\n"
