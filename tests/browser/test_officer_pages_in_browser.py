"""The deployment, planning and watchlist pages in Chromium, as officers use them: a refused
plan is explained next to the field; the planner is never offered Authorise; Start waits for
every condition to be ticked; End and Cancel are confirmed in a dialog with a reason (Escape
backs out); a watchlist upload with one file that is not an image enrols the others, with a
progress bar; entries show their enrolled faces, and Remove asks for a reason; on a phone the
entry's Expires, Status and Remove are on screen."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import Seeded, Server, Shots, log_in, log_out
from tests.e2e.conftest import CLIP, DATA

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, FilePayload, Locator, Page, Route, ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
NEW_FACE = DATA / "faces" / "unknown" / "kate_siegel_1.jpg"
pytestmark = pytest.mark.e2e  # the real server, models and faces (needs ../shared/data)


def _page(browser: Browser, viewport: ViewportSize, errors: list[str]) -> Page:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    return page


def _state(page: Page) -> str | None:
    return page.get_by_test_id("deployment").get_attribute("data-state")


def _conditions(page: Page) -> dict[str, str]:
    found: dict[str, str] = page.locator('[data-testid="readiness-condition"]').evaluate_all(
        "items => Object.fromEntries(items.map(i => [i.dataset.condition, i.dataset.met]))"
    )
    return found


def _in_view(locator: Locator) -> bool:
    seen: bool = locator.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; }"
    )
    return seen


def _focused(page: Page) -> str | None:
    focused: str | None = page.evaluate("document.activeElement?.dataset?.testid ?? null")
    return focused


def _plan_body(seeded: Seeded) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "name": "Second plan (browser test)",
        "purpose": "crime hotspot and its access routes",
        "location_name": "Market Square",
        "latitude": 51.5,
        "longitude": -0.12,
        "area_description": "the square",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(hours=2)).isoformat(),
        "cameras": {"hamilton": str(CLIP)},
        "watchlist_id": seeded.watchlist_id,
        "threshold": 0.5,
        "dpia_reference": "DPIA-2026-BROWSER-2",
    }


def _confirm_in_dialog(
    page: Page, opener: str, dialog: str, reason: str, confirm: str, shot: Shots
) -> None:
    """Open the dialog, back out with Escape, open it again, try it without a reason (refused
    by the browser, nothing happens), then give the reason and confirm."""
    page.get_by_test_id(opener).click()
    page.locator(f"#{dialog}[open]").wait_for()
    assert _focused(page) == reason, "the dialog should put the focus in its reason field"
    page.keyboard.press("Escape")
    page.locator(f"#{dialog}:not([open])").wait_for(state="attached")
    assert _focused(page) == opener, "closing the dialog should return the focus to its button"
    page.get_by_test_id(opener).click()
    page.get_by_test_id(confirm).click()
    assert page.get_by_test_id(reason).evaluate("e => e.validity.valueMissing")
    assert page.locator(f"#{dialog}[open]").count() == 1
    shot(page, f"{dialog}-reason-required")
    page.get_by_test_id(reason).fill("operation complete (browser test)")
    page.get_by_test_id(confirm).click()


def test_plan_authorise_start_and_end_offer_only_what_can_be_done(
    browser: Browser, server: Server, seeded: Seeded, artifacts: Path
) -> None:
    base, shot = server.url, Shots(artifacts)
    errors: list[str] = []
    page = _page(browser, DESKTOP, errors)

    # The planner chooses the watchlist from a list; a refusal is explained by its field.
    log_in(page, base, "arthur", "/deployments")
    page.goto(f"{base}/deployments/new")
    page.get_by_test_id("plan-name").fill("Theatre Row (officer pages)")
    page.get_by_test_id("plan-location").fill("Theatre Row")
    page.get_by_test_id("plan-latitude").fill("51.5115")
    page.get_by_test_id("plan-longitude").fill("-0.1280")
    page.get_by_test_id("plan-area").fill("between the two theatres")
    page.get_by_test_id("plan-cameras").fill("hamilton=")
    page.get_by_test_id("plan-watchlist").select_option(str(seeded.watchlist_id))
    chosen = page.locator('[data-testid="plan-watchlist"] option:checked').inner_text()
    assert chosen == f"Hamilton test list ({seeded.subjects} active entries)"
    page.get_by_test_id("plan-dpia").fill("DPIA-2026-BROWSER")
    page.get_by_test_id("plan-submit").click()
    error = page.locator('[data-testid="field-error"][data-field="cameras"]')
    error.wait_for()
    assert error.inner_text() == "Field Cameras: camera 'hamilton' has no source"
    assert _in_view(error), "the refusal should be scrolled into view"
    assert page.get_by_test_id("plan-cameras").get_attribute("aria-invalid") == "true"
    assert "invalid request" not in page.content()
    shot(page, "plan-refused-by-field")
    page.get_by_test_id("plan-cameras").fill(f"hamilton={CLIP}")
    page.get_by_test_id("plan-submit").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/deployments/\d+$"))
    deployment_id = int(page.url.rsplit("/", 1)[1])

    # The planner is never offered Authorise; Start waits for every condition.
    assert page.get_by_test_id("authorise-button").count() == 0
    assert page.get_by_test_id("authorise-elsewhere").is_visible()
    assert page.get_by_test_id("start-button").is_disabled()
    conditions = _conditions(page)
    assert conditions["authorised"] == "no" and conditions["signage"] == "no", conditions
    assert conditions["watchlist"] == "yes" and conditions["cameras"] == "yes", conditions
    shot(page, "deployment-planned-checklist")
    log_out(page, base)

    # Another officer authorises and confirms the signage: every condition ticked, Start enabled.
    log_in(page, base, "beth", "/deployments")
    page.goto(f"{base}/deployments/{deployment_id}")
    page.get_by_test_id("authorise-button").click()
    page.wait_for_selector('[data-testid="deployment"][data-state="authorised"]')
    page.get_by_test_id("signage-reference").fill("SIGN-ROW-1")
    page.get_by_test_id("signage-button").click()
    page.get_by_test_id("deployment-signage").filter(has_text="SIGN-ROW-1").wait_for()
    assert page.get_by_test_id("signage-reference").count() == 0
    assert set(_conditions(page).values()) == {"yes"}
    assert page.get_by_test_id("start-button").is_enabled()
    shot(page, "deployment-ready-all-ticked")
    page.get_by_test_id("start-button").click()
    page.wait_for_selector('[data-testid="deployment"][data-state="live"]')

    # End asks for confirmation and a reason.
    _confirm_in_dialog(page, "end-button", "end-dialog", "end-reason", "end-confirm", shot)
    page.wait_for_selector('[data-testid="deployment"][data-state="ended"]')
    shot(page, "deployment-ended-with-reason")

    # "Cancel deployment", likewise.
    second = page.evaluate(
        "async body => (await LFR.api('POST', '/api/deployments', body)).id", _plan_body(seeded)
    )
    page.goto(f"{base}/deployments/{second}")
    assert page.get_by_test_id("cancel-button").inner_text() == "Cancel deployment…"
    _confirm_in_dialog(
        page, "cancel-button", "cancel-dialog", "cancel-reason", "cancel-confirm", shot
    )
    page.wait_for_selector('[data-testid="deployment"][data-state="cancelled"]')
    assert errors == [], errors


def test_a_watchlist_upload_with_one_bad_file_enrols_the_rest_with_faces_shown(
    browser: Browser, server: Server, seeded: Seeded, artifacts: Path
) -> None:
    base, shot = server.url, Shots(artifacts)
    errors: list[str] = []
    page = _page(browser, PHONE, errors)
    log_in(page, base, "wendy", "/watchlists")
    page.goto(f"{base}/watchlists/{seeded.watchlist_id}")
    faces = page.get_by_test_id("entry-face")
    assert faces.count() == seeded.subjects
    for index in range(seeded.subjects):
        face = faces.nth(index)
        face.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=face.element_handle()
        )
    # On a phone each entry is a card: Expires, Status and Remove fit the screen's width.
    row = page.get_by_test_id("entry-row").first
    for testid in ("entry-expires", "entry-status", "entry-remove"):
        cell = row.get_by_test_id(testid)
        cell.scroll_into_view_if_needed()
        assert _in_view(cell), f"{testid} is off screen on a phone"
    shot(page, "watchlist-phone-cards")

    # One photo and one file that is not an image: the photo is enrolled, the file named.
    page.get_by_test_id("entry-reference").fill("BT-NEW-1")
    page.get_by_test_id("entry-name").fill("Kate Siegel")
    page.get_by_test_id("entry-reason").fill("browser test: missing person")
    page.get_by_test_id("entry-source").fill("face_recognition repository (MIT)")
    photo: FilePayload = {
        "name": NEW_FACE.name,
        "mimeType": "image/jpeg",
        "buffer": NEW_FACE.read_bytes(),
    }
    notes: FilePayload = {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a photo"}
    page.get_by_test_id("entry-photos").set_input_files([photo, notes])
    held: list[Route] = []
    page.route("**/api/watchlists/*/entries", lambda route: held.append(route))
    page.get_by_test_id("entry-upload-submit").click()
    page.wait_for_function(
        "() => document.getElementById('upload-progress-label').textContent.startsWith('Enrolling')"
    )
    assert page.get_by_test_id("upload-progress").is_visible()
    assert page.get_by_test_id("upload-progress-label").inner_text() == "Enrolling 1 photo(s)…"
    assert (
        page.get_by_test_id("upload-file-error").inner_text().startswith("notes.txt: not an image")
    )
    shot(page, "watchlist-upload-progress")
    for _ in range(100):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1, "the upload request never reached the server"
    held[0].continue_()
    page.unroute("**/api/watchlists/*/entries")
    added = page.locator('[data-testid="entry-row"][data-reference="BT-NEW-1"]')
    added.wait_for(timeout=120_000)
    assert added.get_attribute("data-status") == "active"
    assert page.locator('[data-testid="upload-file-error"][data-file="notes.txt"]').is_visible()
    face = added.get_by_test_id("entry-face")
    face.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=face.element_handle())
    shot(page, "watchlist-upload-one-bad-file")

    # Remove asks for a reason in a dialog.
    added.get_by_test_id("entry-remove").click()
    page.locator("#remove-dialog[open]").wait_for()
    assert page.get_by_test_id("remove-who").inner_text() == "Kate Siegel (BT-NEW-1)"
    page.get_by_test_id("entry-remove-reason").fill("enrolled by the browser test")
    page.get_by_test_id("entry-remove-confirm").click()
    page.locator(
        '[data-testid="entry-row"][data-reference="BT-NEW-1"][data-status="removed"]'
    ).wait_for()
    assert errors == [], errors
