"""A real nats-server for the tests, started like PostgreSQL is: Debian's package, installed by
``scripts/nats.sh`` (``scripts/test.sh`` runs it). A test writes the configuration (with
``lfr nats config``), then starts, reloads and stops its own server on a free port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.waiting import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def nats_server_binary() -> str:
    found = shutil.which("nats-server")
    if found is None:
        pytest.fail("nats-server is not installed (./scripts/nats.sh installs it)", pytrace=False)
    return found


def _accepting(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class NatsServer:
    """One nats-server process on ``config``'s port; ``stop`` and ``start`` again keep its
    JetStream store (the store directory is in the configuration)."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.url = f"nats://127.0.0.1:{port}"
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                [nats_server_binary(), "-c", str(self.config)], stdout=log, stderr=log
            )
        wait_until(lambda: _accepting(self.port), what=f"nats-server on port {self.port}")

    def reload(self) -> None:
        """Read the configuration again (what ``nats-server --signal reload`` does)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None

    def kill(self) -> None:
        """As a power cut would: no chance to flush or say goodbye."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def log_text(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""
