"""The admin's site settings page and what the public then sees, in Chromium: the force's name,
contact and complaint address set on /settings (a bad time zone refused in plain words), and the
public page showing a planned deployment's times in local time with the zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lfr.app import build_services, init_data_dir
from lfr.config import Settings
from lfr.governance.accounts import users
from tests.browser.conftest import PASSWORD, Server
from tests.gov.factories import add_deployment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SUMMER = datetime(2027, 7, 1, 13, 0, tzinfo=UTC)  # 14:00 in London (BST)


@pytest.fixture(scope="module")
def light_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An admin and one planned deployment; no watchlist enrolled (no face model needed)."""
    root = tmp_path_factory.mktemp("settings")
    settings = Settings(data_dir=root / "data")
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        users.bootstrap_admin(services, "admin", PASSWORD)
        add_deployment(
            services, state="authorised", starts_at=SUMMER, ends_at=SUMMER.replace(hour=17)
        )
    finally:
        services.db.dispose()
    running = Server(settings.data_dir, root / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _log_in_as_admin(page: Page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/users", timeout=15_000)


def _save(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        page.get_by_test_id(f"settings-{name.replace('_', '-')}").fill(value)
    page.get_by_test_id("settings-save").click()


def test_an_admin_sets_the_force_and_time_zone_and_the_public_page_shows_local_times(
    browser: Browser, light_server: Server, artifacts: Path
) -> None:
    base = light_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in_as_admin(page, base)
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{base}/settings")

    _save(page, time_zone="Europe/Londn")  # a typo: refused, saying what is wrong
    message = page.locator("#message")
    message.wait_for(state="visible")
    assert "not an IANA time zone name" in message.inner_text()
    assert message.get_attribute("data-kind") == "error"

    _save(
        page,
        force_name="Metropolitan Police Service",
        contact="101",
        complaints="https://www.met.police.uk/complaints",
        time_zone="Europe/London",
    )
    page.wait_for_load_state("load")
    page.get_by_text("Settings saved").wait_for()
    assert page.get_by_test_id("settings-time-zone").input_value() == "Europe/London"
    page.screenshot(path=str(artifacts / "settings.png"), full_page=True)

    public = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    public.goto(f"{base}/public")
    times = public.get_by_test_id("public-deployment-times").first.inner_text()
    assert times == "2027-07-01 14:00 BST \N{EN DASH} 2027-07-01 18:00 BST", times
    assert "Europe/London" in public.get_by_test_id("public-zone").inner_text()
    assert "Metropolitan Police Service uses cameras" in public.locator("main").inner_text()
    link = public.get_by_test_id("public-complaints-link")
    assert link.get_attribute("href") == "https://www.met.police.uk/complaints"
    public.get_by_test_id("public-policy-link").click()
    public.wait_for_url(f"{base}/public/policy")
    assert public.get_by_test_id("public-policy").is_visible()
    public.goto(f"{base}/public")
    public.screenshot(path=str(artifacts / "public-local-time.png"), full_page=True)
