#!/usr/bin/env python
"""Make the README's screenshots from the built-in demo (no shared data needed).

Runs ``lfr serve --demo`` on a free port with a temporary data directory, then drives Debian's
Chromium (Playwright for Python) through the pages and saves, in docs/screenshots/:

  operator.png        the operator's alert queue, with the demo alert arrived live
  operator-phone.png  the same queue on a phone-sized screen (390x844)
  supervisor.png      the live demo deployment as an authorising officer sees it (camera health)
  oversight.png       the oversight audit log after "Verify chain"
  public.png          the public transparency page (a planned deployment and a published record)
  poster.png          the printable signage poster of the planned deployment

Usage: .venv/bin/python scripts/screenshots.py [--out DIR] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
TALL: ViewportSize = {"width": 1280, "height": 900}
DEMO_REFERENCE = "DEMO-0001"
PUBLIC_URL = "http://127.0.0.1:8000"  # where `lfr serve --demo` listens by default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DemoServer:
    """``lfr serve --demo`` in a subprocess, on its own data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log = data_dir.parent / "serve.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 180.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LFR_")}
        env["PYTHONUNBUFFERED"] = "1"
        argv = [sys.executable, "-m", "lfr", "serve", "--demo", "--data-dir", str(self.data_dir)]
        argv += ["--host", "127.0.0.1", "--port", str(self.port)]
        argv += ["--public-url", PUBLIC_URL]  # what the poster's QR code points to
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                sys.exit(f"lfr serve --demo exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/public", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                sys.exit(
                    f"lfr serve --demo did not answer within {timeout_s:.0f} s:\n{self.tail()}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def credentials(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = json.loads(
            (self.data_dir / "demo-credentials.json").read_text(encoding="utf-8")
        )
        return found

    def deployment_id(self) -> int:
        found = re.search(r"/deployments/(\d+)", self.log.read_text(errors="replace"))
        if not found:
            sys.exit(f"the demo did not print its deployment:\n{self.tail()}")
        return int(found.group(1))


class Shooter:
    def __init__(self, browser: Browser, server: DemoServer, out: Path) -> None:
        self.browser = browser
        self.server = server
        self.out = out
        self.logins = server.credentials()
        self.saved: list[Path] = []

    def context(self, viewport: ViewportSize, scale: float = 1.0) -> BrowserContext:
        context = self.browser.new_context(viewport=viewport, device_scale_factor=scale)
        context.set_default_timeout(20_000)
        return context

    def log_in(self, context: BrowserContext, username: str, home: str) -> Page:
        page = context.new_page()
        page.goto(f"{self.server.url}/login")
        page.get_by_test_id("login-username").fill(username)
        page.get_by_test_id("login-password").fill(self.logins[username]["password"])
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(f"{self.server.url}{home}")
        return page

    def save(self, page: Page, name: str, full_page: bool = True) -> None:
        path = self.out / f"{name}.png"
        page.mouse.move(0, 0)  # no hover effects
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.saved.append(path)
        print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}", flush=True)


def api(page: Page, method: str, path: str, body: Any = None) -> Any:
    return page.evaluate("([m, p, b]) => LFR.api(m, p, b ?? undefined)", [method, path, body])


def demo_card(page: Page) -> Any:
    return page.locator(
        '[data-testid="alert-card"]'
        f':has([data-testid="alert-reference"]:text-is("{DEMO_REFERENCE}"))'
    )


def wait_faces(page: Page) -> None:
    card = demo_card(page)
    card.wait_for(state="visible", timeout=90_000)
    for face in ("alert-probe", "alert-enrolled"):
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=card.get_by_test_id(face).element_handle(),
        )


def shoot(shooter: Shooter) -> None:
    base = shooter.server.url
    deployment_id = shooter.server.deployment_id()

    # The operator opens the alert queue, then starts the demo deployment from another tab.
    operator = shooter.context(DESKTOP)
    alerts = shooter.log_in(operator, "olive", "/alerts")
    alerts.wait_for_selector('[data-testid="stream-status"][data-state="live"]')
    control = operator.new_page()
    control.goto(f"{base}/deployments/{deployment_id}")
    control.get_by_test_id("start-button").click()
    control.wait_for_selector('[data-testid="deployment"][data-state="live"]')
    print("waiting for the demo alert (the face models load first)...", flush=True)
    wait_faces(alerts)
    alerts.evaluate("document.querySelectorAll('.fresh').forEach(c => c.classList.remove('fresh'))")
    shooter.save(alerts, "operator", full_page=False)

    phone = shooter.context(PHONE, scale=2.0)
    on_phone = shooter.log_in(phone, "olive", "/alerts")
    wait_faces(on_phone)
    shooter.save(on_phone, "operator-phone", full_page=False)
    phone.close()

    # The supervisor's view of the live deployment, with camera health.
    supervisor = shooter.context(DESKTOP)
    page = shooter.log_in(supervisor, "arthur", "/deployments")
    page.goto(f"{base}/deployments/{deployment_id}")
    page.locator('[data-testid="camera-row"][data-state="running"]').wait_for()
    shooter.save(page, "supervisor")

    # Review, outcome and end, so that the public page has a published record.
    demo_card(alerts).get_by_test_id("alert-confirm").click()
    demo_card(alerts).get_by_test_id("alert-ask-yes").click()  # each decision is asked twice
    alerts.wait_for_selector('[data-testid="alert-card"][data-status="confirmed"]')
    field = shooter.context(DESKTOP)
    officer = shooter.log_in(field, "fred", "/alerts")
    demo_card(officer).get_by_test_id("outcome-no_action").click()
    demo_card(officer).get_by_test_id("alert-ask-yes").click()
    demo_card(officer).get_by_test_id("alert-outcome").wait_for()
    field.close()
    api(control, "POST", f"/api/deployments/{deployment_id}/end", {"reason": "demo over"})

    # A deployment planned for tomorrow, authorised by another officer: the public schedule.
    demo = api(control, "GET", f"/api/deployments/{deployment_id}")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    planned = api(
        control,
        "POST",
        "/api/deployments",
        {
            "name": "Market Street (demo plan)",
            "purpose": demo["purpose"],
            "location_name": "Market Street",
            "latitude": 51.5136,
            "longitude": -0.0984,
            "area_description": "Between the station entrance and the market hall",
            "starts_at": tomorrow.isoformat(),
            "ends_at": (tomorrow + timedelta(hours=6)).isoformat(),
            "cameras": {"demo": "demo"},
            "watchlist_id": demo["watchlist_id"],
            "threshold": demo["threshold"],
            "dpia_reference": "DPIA-DEMO-2",
        },
    )
    api(page, "POST", f"/api/deployments/{planned['id']}/authorise", {"note": "demo plan"})
    api(control, "POST", f"/api/deployments/{planned['id']}/signage", {"reference": "SIGN-2"})
    operator.close()
    supervisor.close()

    # The public page and the poster, without a login.
    public = shooter.context(DESKTOP)
    visitor = public.new_page()
    visitor.goto(f"{base}/public")
    visitor.get_by_test_id("public-record-row").first.wait_for()
    visitor.get_by_test_id("public-deployment-row").first.wait_for()
    shooter.save(visitor, "public")
    visitor.goto(f"{base}/public/deployments/{planned['id']}/poster")
    visitor.get_by_test_id("poster").wait_for()
    shooter.save(visitor, "poster")
    public.close()

    # Oversight verifies the audit chain.
    oversight = shooter.context(TALL)
    page = shooter.log_in(oversight, "oscar", "/oversight")
    page.goto(f"{base}/oversight/audit")
    page.get_by_test_id("verify-chain").click()
    result = page.get_by_test_id("verify-result")
    result.wait_for(state="visible")
    if result.get_attribute("data-ok") != "true":
        sys.exit(f"the audit chain did not verify: {result.inner_text()}")
    shooter.save(page, "oversight", full_page=False)
    oversight.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        sys.exit(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix="lfr-screenshots-"))
    server = DemoServer(temp / "data")
    print(f"starting lfr serve --demo (data in {temp})...", flush=True)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                shoot(Shooter(browser, server, args.out))
            finally:
                browser.close()
    except Exception:
        print(f"--- lfr serve log ---\n{server.tail()}", file=sys.stderr)
        raise
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
