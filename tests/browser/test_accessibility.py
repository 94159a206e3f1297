"""Every page, as a role that may see it, checked with axe-core in Chromium: no serious or
critical accessibility violation (contrast, labels, landmarks, language, names of controls).

The violations axe finds are printed when a page fails, with the elements and what to fix."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize

from lfr.app import build_services
from lfr.config import Settings
from lfr.governance.alerts.intake import store_alert
from lfr.governance.law.policy import DEFAULT_PURPOSES
from tests.api.helpers import make_alert
from tests.browser.axe import blocking, describe, require_axe, violations
from tests.browser.conftest import PASSWORD, Seeded, Server
from tests.e2e.conftest import CLIP, LIN
from tests.gov.factories import add_deployment, ensure_snapshot

pytestmark = pytest.mark.e2e  # the seeded server enrols the real faces

PLAN = """async ([watchlistId, clip, purpose, startsAt, endsAt]) => {
  const planned = await LFR.api("POST", "/api/deployments", {
    name: "Accessibility check", purpose, location_name: "Market Square",
    latitude: 51.5, longitude: -0.12, area_description: "the square and its two entrances",
    starts_at: startsAt, ends_at: endsAt, cameras: { square: clip },
    watchlist_id: watchlistId, threshold: 0.5, dpia_reference: "DPIA-A11Y-1",
  });
  return planned.id;
}"""
AUTHORISE = """async (id) => {
  await LFR.api("POST", `/api/deployments/${id}/authorise`, { note: "accessibility check" });
}"""

SPOIL = """() => {
  const main = document.querySelector("main");
  main.insertAdjacentHTML("beforeend",
    '<input type="text"><p style="color:#bbb;background:#ccc">hard to read</p>');
}"""


class Sessions:
    """One logged-in browser context per user, opened the first time a page needs it."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.contexts: dict[str, BrowserContext] = {}

    def context(self, username: str | None) -> BrowserContext:
        key = username or ""
        if key not in self.contexts:
            # The pages forbid inline scripts (CSP); axe is injected as one, by the test only.
            context = self.browser.new_context(bypass_csp=True)
            if username is not None:
                page = context.new_page()
                page.goto(f"{self.base}/login")
                page.get_by_test_id("login-username").fill(username)
                page.get_by_test_id("login-password").fill(PASSWORD)
                page.get_by_test_id("login-submit").click()
                page.get_by_test_id("current-user").wait_for(timeout=15_000)
                page.close()
            self.contexts[key] = context
        return self.contexts[key]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def sessions(browser: Browser, server: Server) -> Iterator[Sessions]:
    opened = Sessions(browser, server.url)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def deployment_id(sessions: Sessions, seeded: Seeded) -> int:
    """A deployment planned by one officer and authorised by another (so it has a poster)."""
    page = sessions.context("arthur").new_page()
    page.goto(f"{sessions.base}/deployments")
    starts = datetime.now(UTC) + timedelta(hours=1)
    window = [starts.isoformat(), (starts + timedelta(hours=2)).isoformat()]
    planned: int = page.evaluate(
        PLAN, [seeded.watchlist_id, str(CLIP), DEFAULT_PURPOSES[0], *window]
    )
    page.close()
    page = sessions.context("beth").new_page()
    page.goto(f"{sessions.base}/deployments")
    page.evaluate(AUTHORISE, planned)
    page.close()
    return planned


@pytest.fixture(scope="module")
def pending_alert(seeded: Seeded) -> str:
    """A live deployment (straight into the tables) with an alert waiting for review, so the
    alert page is checked with a card on it, faces and buttons included."""
    services = build_services(Settings(data_dir=seeded.data_dir), {})
    try:
        live = add_deployment(services, state="live", watchlist_id=seeded.watchlist_id)
        ensure_snapshot(services, live)
        alert = make_alert(reference=LIN, name="Lin-Manuel Miranda")
        assert store_alert(services, live, alert)
        return alert.id
    finally:
        services.db.dispose()


# (who looks, the page); {d} is the deployment, {w} the watchlist.
PAGES = [
    (None, "/login"),
    (None, "/public"),
    (None, "/public/deployments/{d}/poster"),
    (None, "/no-such-page"),
    ("olive", "/alerts"),
    ("fred", "/alerts"),
    ("arthur", "/deployments"),
    ("arthur", "/deployments/{d}"),
    ("arthur", "/deployments/new"),
    ("wendy", "/watchlists"),
    ("wendy", "/watchlists/{w}"),
    ("oscar", "/oversight"),
    ("oscar", "/oversight/audit"),
    ("oscar", "/oversight/audit?since=yesterday"),  # a filter's error
    ("admin", "/users"),
    ("admin", "/policy"),
    ("admin", "/settings"),
    ("admin", "/documents"),
]


# A phone's width changes what axe sees: tables that scroll sideways, wrapped controls.
SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize(
    ("username", "path"), PAGES, ids=[f"{u or 'public'}:{p}" for u, p in PAGES]
)
def test_no_serious_accessibility_violation(
    sessions: Sessions,
    seeded: Seeded,
    deployment_id: int,
    pending_alert: str,
    username: str | None,
    path: str,
    screen: str,
) -> None:
    page = sessions.context(username).new_page()
    page.set_viewport_size(SCREENS[screen])
    try:
        url = sessions.base + path.format(d=deployment_id, w=seeded.watchlist_id)
        response = page.goto(url)
        assert response is not None
        if path != "/no-such-page":
            assert response.ok, f"{url} answered {response.status}"
        assert "/login" not in page.url or username is None, f"{username} was sent to log in"
        page.wait_for_load_state("networkidle")
        if path == "/alerts":  # the card arrives by script: check it with its faces
            card = page.locator(f'[data-testid="alert-card"][data-alert-id="{pending_alert}"]')
            card.wait_for(timeout=15_000)
            page.wait_for_load_state("networkidle")
        every = violations(page)
        print(f"{username}:{path} ({screen}):", [(v["id"], v["impact"]) for v in every])  # -s
        found = blocking(every)
        assert not found, f"axe found on {path}:\n{describe(found)}"
    finally:
        page.close()


def test_axe_finds_what_it_is_meant_to_find(sessions: Sessions) -> None:
    """A page spoiled on purpose (an unlabelled box, grey on grey): so a green run means axe
    looked, not that it was never run."""
    page = sessions.context(None).new_page()
    try:
        page.goto(f"{sessions.base}/login")
        page.evaluate(SPOIL)
        found = {v["id"] for v in blocking(violations(page))}
        assert {"label", "color-contrast"} <= found, found
    finally:
        page.close()


def test_a_missing_axe_fails_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"axe-core not found at .*scripts/axe.sh"):
        require_axe(tmp_path / "axe.min.js")
