"""``lfr serve`` killed with SIGKILL while a deployment's camera runs (the real models on the
looping demo clip, SQLite): nothing stored is lost, the counts are at most one interval behind,
the audit chain (alerts included) verifies, the camera resumes when the server starts again,
and SIGTERM then stops it cleanly (exit 143, a summary, the counts stored)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.waiting import PATIENCE_S, wait_until

pytestmark = pytest.mark.alone  # its camera plays in real time and must alert (tests/conftest.py)

COUNTS_EVERY_S = 2
DEMO_FPS = 25
"""The demo clip plays at 25 frames a second: no camera of it can process more."""
STARTUP_S = 180.0
"""The models load (and with --demo the portrait is enrolled) before the server answers."""


class Server:
    """One ``lfr serve`` process on a fixed port and data directory."""

    def __init__(self, home: Path, port: int, *extra: str) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.out = home / f"serve-{len(list(home.glob('serve-*.out')))}.out"
        env = {**os.environ, "HOME": str(home), "TMPDIR": str(home)}
        env["LFR_DATA_DIR"] = str(home / "data")
        for name in ("LFR_DATABASE_URL", "LFR_SESSION_KEY", "LFR_USER", "LFR_PASSWORD"):
            env.pop(name, None)
        self.env = env
        command = ["serve", "--port", str(port), "--counts-every", str(COUNTS_EVERY_S), *extra]
        with self.out.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "lfr", *command],
                cwd=home,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._answers, timeout=STARTUP_S, what="lfr serve to answer")

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"lfr serve exited: {self.output()}")
        try:
            return httpx.get(f"{self.url}/public", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def output(self) -> str:
        return self.out.read_text()

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=PATIENCE_S * 2)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _login(server: Server, home: Path) -> dict[str, str]:
    credentials = json.loads((home / "data" / "demo-credentials.json").read_text())
    olive = {"username": "olive", "password": credentials["olive"]["password"]}
    token = httpx.post(f"{server.url}/api/auth/token", json=olive).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _get(server: Server, path: str, headers: dict[str, str]) -> Any:
    response = httpx.get(f"{server.url}{path}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def _stored(home: Path, deployment_id: int) -> tuple[int, int]:
    """(frames, frames in the audited counts) as stored in the database."""
    engine = create_engine(f"sqlite:///{home / 'data' / 'lfr.sqlite3'}")
    try:
        with engine.connect() as conn:
            frames = conn.execute(
                text("SELECT frames FROM deployments WHERE id = :d"), {"d": deployment_id}
            ).scalar_one()
            audited = [
                json.loads(d) if isinstance(d, str) else d
                for d in conn.execute(
                    text("SELECT details FROM audit_log WHERE action = 'deployment.counts'")
                ).scalars()
            ]
    finally:
        engine.dispose()
    return int(frames), sum(int(d["frames"]) for d in audited)


def _verify(server: Server, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lfr", "audit", "verify"],
        cwd=home,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_serve_killed_mid_run_loses_nothing_stored_and_resumes(tmp_path: Path) -> None:
    port = _free_port()
    first = Server(tmp_path, port, "--demo")
    try:
        headers = _login(first, tmp_path)
        (deployment,) = _get(first, "/api/deployments", headers)
        deployment_id = deployment["id"]
        started = httpx.post(
            f"{first.url}/api/deployments/{deployment_id}/start", json={}, headers=headers
        )
        assert started.status_code == 200 and started.json()["cameras_started"], started.text
        wait_until(
            lambda: _get(first, "/api/alerts", headers), timeout=STARTUP_S, what="the demo alert"
        )
        wait_until(
            lambda: _stored(tmp_path, deployment_id)[0] > 0, what="counts stored while running"
        )
        before = _stored(tmp_path, deployment_id)[0]
        wait_until(lambda: _stored(tmp_path, deployment_id)[0] > before, what="a second store")
        alerts = {a["id"] for a in _get(first, "/api/alerts", headers)}
        health = _get(first, f"/api/cameras?deployment_id={deployment_id}", headers)
        processed = health[0]["frames"]
    finally:
        first.process.kill()  # SIGKILL: no clean-up of any kind
        first.process.wait(timeout=PATIENCE_S)

    frames, audited = _stored(tmp_path, deployment_id)
    assert frames == audited >= before  # each stored count is there, and audited, once
    # At most one interval behind (plus the supervisor's 1 s check and the health's 1 s age).
    assert processed - frames <= DEMO_FPS * (COUNTS_EVERY_S + 2)
    verified = _verify(first, tmp_path)
    assert verified.returncode == 0, verified.stderr

    second = Server(tmp_path, port)
    try:
        assert f"resumed the cameras of deployment(s) {deployment_id}" in second.output()
        headers = _login(second, tmp_path)
        assert alerts <= {a["id"] for a in _get(second, "/api/alerts", headers)}
        wait_until(
            lambda: _stored(tmp_path, deployment_id)[0] > frames,
            timeout=STARTUP_S,
            what="the resumed camera's counts",
        )
    finally:
        code = second.stop(signal.SIGTERM)
    assert code == 143, second.output()
    assert (
        f"stopped by SIGTERM; the cameras of deployment(s) {deployment_id} stopped and their"
        " counts are stored"
    ) in second.output()
    final, audited = _stored(tmp_path, deployment_id)
    assert final == audited > frames
    verified = _verify(second, tmp_path)
    assert verified.returncode == 0, verified.stderr
