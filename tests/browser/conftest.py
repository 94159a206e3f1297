"""Browser tests: the real ``lfr serve`` in a subprocess, driven by Debian's Chromium through
Playwright for Python.

The server runs on a fresh data directory (SQLite) that the service layer seeds first: accounts
for every role and a governed watchlist enrolled with the real face models from the shared
faces (every identity folder except ``unknown/``). Screenshots of each page go to
``test-artifacts/screenshots/`` (git-ignored).

Chromium is not optional: without ``/usr/bin/chromium`` the tests fail with a message (``.ci/run``
installs it through ``scripts/chromium.sh``). ``playwright install`` is never used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from lfr.access.roles import Actor, Role
from lfr.app import build_engine, build_services, init_data_dir
from lfr.config import EngineConfig, Settings
from lfr.enrol.folder import Enroller
from lfr.governance.accounts import users
from lfr.governance.law.policy import DEFAULT_CATEGORIES
from lfr.governance.watchlists import entries as watchlists
from lfr.governance.watchlists.folder_import import enrol_folder_into
from tests.e2e.conftest import CLIP, DATA, LIN

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long enough passphrase"
WATCHLIST = "Hamilton test list"
ACCOUNTS: dict[str, Role] = {
    "wendy": Role.WATCHLIST_MANAGER,
    "arthur": Role.AUTHORISING_OFFICER,  # the supervisor who plans
    "beth": Role.AUTHORISING_OFFICER,  # the other officer who authorises
    "olive": Role.OPERATOR,
    "fred": Role.FIELD_OFFICER,
    "oscar": Role.OVERSIGHT,
}


# --- the browser ------------------------------------------------------------------------------


def require_chromium(path: Path = CHROMIUM) -> None:
    """Fail (never skip) when the browser is missing: a green run must include these tests."""
    if not path.is_file():
        pytest.fail(
            f"Chromium not found at {path}: the browser tests need Debian's chromium"
            " (apt-get install chromium, or ./scripts/chromium.sh as .ci/run does)",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: pip install -e '.[dev]'", pytrace=False
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


# --- the data directory, seeded through the service layer -------------------------------------


def governed_watchlist_dir(root: Path) -> Path:
    """Every identity folder of faces/ except unknown/ (photos linked, not copied), each with
    its governance facts: an allowed category, a reason and the images' source."""
    if not CLIP.is_file():
        pytest.fail(f"test data not found at {DATA} (set LFR_TEST_DATA)", pytrace=False)
    folder = root / "watchlist"
    folder.mkdir()
    for source in sorted((DATA / "faces").iterdir()):
        if not source.is_dir() or source.name == "unknown":
            continue
        target = folder / source.name
        target.mkdir()
        for photo in source.iterdir():
            (target / photo.name).symlink_to(photo)
        category = DEFAULT_CATEGORIES[0] if source.name == LIN else DEFAULT_CATEGORIES[3]
        (target / "subject.json").write_text(
            json.dumps(
                {
                    "reference": source.name,
                    "display_name": source.name.replace("_", " ").title(),
                    "category": category,
                    "reason": "browser test: wanted on warrant",
                    "image_source": "face_recognition repository (MIT)",
                }
            )
        )
    return folder


@dataclass
class Seeded:
    data_dir: Path
    watchlist_id: int
    subjects: int
    images: int


def seed(root: Path) -> Seeded:
    """Accounts for every role and the enrolled watchlist, straight through the services."""
    settings = Settings(data_dir=root / "data")
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        users.bootstrap_admin(services, "admin", PASSWORD)
        admin = Actor("admin", Role.ADMIN)
        for name, role in ACCOUNTS.items():
            users.create_user(services, admin, name, PASSWORD, role)
        manager = Actor("wendy", Role.WATCHLIST_MANAGER)
        watchlist_id = watchlists.create_watchlist(services, manager, WATCHLIST)
        engine = build_engine(EngineConfig())
        report = enrol_folder_into(
            services,
            manager,
            watchlist_id,
            governed_watchlist_dir(root),
            Enroller(engine.detector, engine.aligner, engine.embedder, engine.config),
            expires_at=services.clock() + timedelta(days=7),
            progress=False,
        )
        assert not report.refused, f"watchlist entries refused: {report.refused}"
        assert len(report.added) == 6, f"expected 6 subjects enrolled, got {report.added}"
    finally:
        services.db.dispose()
    return Seeded(settings.data_dir, watchlist_id, len(report.added), report.images_enrolled)


# --- the real server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """``lfr serve`` in a subprocess; its output goes to a log file shown when a test fails."""

    data_dir: Path
    log_path: Path
    argv_extra: list[str] = field(default_factory=list)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LFR_")}
        env["PYTHONUNBUFFERED"] = "1"
        env["LFR_MEDIA_DIR"] = str(CLIP.parent)  # the clip the tests plan as a camera
        argv = [sys.executable, "-m", "lfr", "serve", "--data-dir", str(self.data_dir)]
        argv += ["--host", "127.0.0.1", "--port", str(self.port), *self.argv_extra]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.data_dir.parent
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"lfr serve exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                if httpx.get(f"{self.url}/public", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"lfr serve did not answer on {self.url} within {timeout_s:.0f} s:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown, then cameras stop
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def seeded_once(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """Seeded with the real models once per worker (enrolling the faces is most of it)."""
    return seed(tmp_path_factory.mktemp("browser-seed"))


@pytest.fixture(scope="module")
def seeded(seeded_once: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A module's own copy of the seeded data directory: its server changes it freely."""
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(seeded_once.data_dir, data_dir)
    return replace(seeded_once, data_dir=data_dir)


@pytest.fixture(scope="module")
def server(seeded: Seeded) -> Iterator[Server]:
    running = Server(seeded.data_dir, seeded.data_dir.parent / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """When a test fails, show the end of the server's log with its report."""
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and "server" in request.fixturenames:
        running: Server = request.getfixturevalue("server")
        sys.stderr.write(f"\n--- lfr serve log (tail) ---\n{running.log_tail()}\n")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --- page helpers ------------------------------------------------------------------------------


class Shots:
    """Numbered full-page screenshots, in the order the test takes them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self.taken: list[Path] = []

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def log_in(page: Page, base: str, username: str, home: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}{home}", timeout=15_000)
    shown = page.get_by_test_id("current-user")
    assert shown.get_attribute("data-role") == ACCOUNTS[username].value, (
        f"logged in as {username}, but the page shows {shown.inner_text()!r}"
    )


def log_out(page: Page, base: str) -> None:
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{base}/login", timeout=15_000)
