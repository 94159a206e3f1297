"""The audit page as oversight uses it, on a phone-sized screen: entries in plain words with
one-line times, "since" picked in a date and time box, a bad filter that shows no entries, and
a mistyped known head told apart from a broken chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import Server, Shots, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e  # the seeded server enrols the real faces

LINES = """cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  return range.getClientRects().length;
}"""


def _rows(page: Page) -> int:
    return page.get_by_test_id("audit-row").count()


def _verify(page: Page, known_head: str) -> tuple[str | None, str]:
    page.get_by_test_id("verify-known-head").fill(known_head)
    page.get_by_test_id("verify-chain").click()
    result = page.get_by_test_id("verify-result")
    result.wait_for(state="visible")
    return result.get_attribute("data-ok"), result.inner_text()


def test_oversight_reads_searches_and_verifies_the_audit_log(
    browser: Browser, server: Server, artifacts: Path
) -> None:
    shot = Shots(artifacts)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server.url, "oscar", "/oversight")
    page.goto(f"{server.url}/oversight/audit")

    # Plain words, details as lines (the JSON behind a disclosure), times on one line.
    created = page.locator('[data-testid="audit-row"][data-action="user.create"]').first
    assert created.get_by_test_id("audit-action").inner_text() == "User created"
    assert created.get_by_test_id("audit-details").inner_text().startswith("role:")
    assert not created.get_by_test_id("audit-raw").is_visible()
    created.locator("summary").click()
    assert '"role"' in created.get_by_test_id("audit-raw").inner_text()
    time_cell = created.get_by_test_id("audit-time")
    assert time_cell.evaluate(LINES) == 1, f"the time wraps: {time_cell.inner_text()!r}"
    assert time_cell.inner_text().endswith(" UTC") and time_cell.inner_text().count(":") == 2
    shot(page, "audit-phone-plain-words")

    # "Since" from the date and time box: everything after 2000, nothing after tomorrow.
    page.get_by_test_id("audit-filter-since").fill("2000-01-01T00:00")
    page.get_by_test_id("audit-search").click()
    page.wait_for_url("**since=2000-01-01T00%3A00**")
    assert _rows(page) > 0 and page.get_by_test_id("audit-error").count() == 0
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_test_id("audit-filter-since").fill(tomorrow)
    page.get_by_test_id("audit-search").click()
    page.wait_for_url("**since=*")
    page.get_by_text("No matching entries.").wait_for()
    assert _rows(page) == 0 and page.get_by_test_id("audit-error").count() == 0

    # A filter that cannot be read: its error, and no entries under it.
    page.goto(f"{server.url}/oversight/audit?since=yesterday")
    assert "not a date and time" in page.get_by_test_id("audit-error").inner_text()
    assert _rows(page) == 0

    # Verification: the head to keep; the same head mistyped; the head as kept.
    state, text = _verify(page, "")
    assert state == "true" and "Head to keep: " in text, text
    kept = text.split("Head to keep: ", 1)[1].strip()
    state, text = _verify(page, kept[:-1])
    assert state == "invalid", text
    assert text.startswith("the head you typed is not valid:") and "BROKEN" not in text
    shot(page, "audit-phone-mistyped-head")
    state, text = _verify(page, kept)
    assert state == "true", text
    context.close()
