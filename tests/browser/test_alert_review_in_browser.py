"""The alert card as officers use it (issue 10): a card whose pictures fail offers a retry and
cannot be decided (the page disables the buttons and the server refuses); every decision and
outcome asks once more and can be backed out of; a field officer on a 390x844 phone sees where
to go, what to do now, one similarity scale, and no "Arrested" on a false alert.

The real ``lfr serve`` runs on a data directory whose deployments and alerts are written
straight into its database (no camera run, no face model needed to raise them)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lfr.access.roles import Actor, Role
from lfr.app import build_services, init_data_dir
from lfr.config import Settings
from lfr.governance.accounts import users
from lfr.governance.alerts import adjudication as adj
from tests.browser.conftest import ACCOUNTS, PASSWORD, Server, Shots, log_in
from tests.gov.factories import add_alert, add_deployment

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
OLIVE = Actor("olive", Role.OPERATOR)
FRED = Actor("fred", Role.FIELD_OFFICER)


@dataclass(frozen=True)
class Alerts:
    to_review: str
    confirmed: str
    false_alert: str
    of_ended: str


def _seed(data_dir: Path) -> Alerts:
    settings = Settings(data_dir=data_dir)
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        users.bootstrap_admin(services, "admin", PASSWORD)
        admin = Actor("admin", Role.ADMIN)
        for actor in (OLIVE, FRED):
            users.create_user(services, admin, actor.username, PASSWORD, ACCOUNTS[actor.username])
        live = add_deployment(services, state="live", assigned=(OLIVE, FRED))
        ended = add_deployment(services, state="ended", assigned=(OLIVE, FRED))
        alerts = Alerts(
            to_review=add_alert(services, live, seed=1),
            confirmed=add_alert(services, live, seed=2),
            false_alert=add_alert(services, live, seed=3),
            of_ended=add_alert(services, ended, seed=4),
        )
        adj.adjudicate(services, OLIVE, alerts.confirmed, "confirmed")
        adj.adjudicate(services, OLIVE, alerts.false_alert, "false_alert")
        return alerts
    finally:
        services.db.dispose()


@pytest.fixture(scope="module")
def seeded_alerts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Alerts]:
    root = tmp_path_factory.mktemp("alert-review")
    return root / "data", _seed(root / "data")


@pytest.fixture(scope="module")
def review_server(seeded_alerts: tuple[Path, Alerts]) -> Iterator[Server]:
    data_dir, _ = seeded_alerts
    running = Server(data_dir, data_dir.parent / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _open_queue(
    browser: Browser, server: Server, username: str, viewport: ViewportSize, failing: str = ""
) -> Page:
    """A fresh login's alert page; requests to ``failing`` (a URL pattern) fail from the start."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    if failing:
        context.route(failing, lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, server.url, username, "/alerts")
    page.wait_for_selector('[data-testid="stream-status"][data-state="live"]')
    assert errors == [], errors
    return page


def _card(page: Page, alert_id: str) -> Locator:
    card = page.locator(f'[data-testid="alert-card"][data-alert-id="{alert_id}"]')
    card.wait_for()
    return card


def test_a_card_whose_picture_fails_cannot_be_decided_and_offers_a_retry(
    browser: Browser, review_server: Server, seeded_alerts: tuple[Path, Alerts], artifacts: Path
) -> None:
    _, alerts = seeded_alerts
    shot = Shots(artifacts)
    failing = "**/media/enrolled*"  # the watchlist image fails to load
    page = _open_queue(browser, review_server, "olive", DESKTOP, failing)
    card = _card(page, alerts.to_review)
    card.get_by_test_id("alert-enrolled-retry").wait_for(state="visible")
    assert card.get_by_test_id("alert-enrolled-failed").is_visible()
    assert card.get_by_test_id("alert-probe-retry").is_hidden()
    assert card.get_by_test_id("alert-confirm").is_disabled()
    assert card.get_by_test_id("alert-reject").is_disabled()
    assert card.get_by_test_id("alert-faces-needed").is_visible()
    # Not only hidden in the page: the server refuses this session's decision too.
    refusal = page.evaluate(
        """id => LFR.api("POST", `/api/alerts/${id}/adjudicate`, { decision: "confirmed" })
              .then(() => "accepted", (err) => `${err.status}: ${err.message}`)""",
        alerts.to_review,
    )
    assert refusal.startswith("409: ") and "the watchlist image" in refusal, refusal
    assert "camera saw" not in refusal  # the probe did load
    shot(page, "alert-card-picture-failed-retry")

    page.context.unroute(failing)
    card.get_by_test_id("alert-enrolled-retry").click()
    page.wait_for_selector(f'[data-alert-id="{alerts.to_review}"][data-faces="loaded"]')
    assert card.get_by_test_id("alert-enrolled-retry").is_hidden()
    confirm = card.get_by_test_id("alert-confirm")
    assert confirm.is_enabled()

    # Confirm asks once more; Back changes nothing.
    confirm.click()
    assert "same person" in card.get_by_test_id("alert-ask").inner_text()
    shot(page, "alert-card-confirm-asks")
    card.get_by_test_id("alert-ask-back").click()
    assert card.get_by_test_id("alert-confirm").is_enabled()
    assert card.get_attribute("data-status") == "pending"
    card.get_by_test_id("alert-confirm").click()
    card.get_by_test_id("alert-ask-yes").click()
    page.wait_for_selector(f'[data-alert-id="{alerts.to_review}"][data-status="confirmed"]')


def test_a_field_officer_on_a_phone_sees_where_what_to_do_and_one_scale(
    browser: Browser, review_server: Server, seeded_alerts: tuple[Path, Alerts], artifacts: Path
) -> None:
    _, alerts = seeded_alerts
    shot = Shots(artifacts)
    page = _open_queue(browser, review_server, "fred", PHONE)
    confirmed = _card(page, alerts.confirmed)
    where = confirmed.get_by_test_id("alert-location")
    assert where.inner_text() == "High Street — the pedestrian area" and where.is_visible()
    step = confirmed.get_by_test_id("alert-next-step").inner_text()
    assert step.startswith("Approach as briefed") and "other means" in step
    assert confirmed.get_by_test_id("alert-score").inner_text() == "59% (alert threshold 50%)"
    assert confirmed.get_by_test_id("outcome-heading").inner_text() == "Outcome of the encounter"
    assert confirmed.get_by_test_id("outcome-arrested").is_visible()
    fits = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the alert page scrolls sideways on a 390 px phone"
    shot(page, "field-officer-phone-alert-card")

    rejected = _card(page, alerts.false_alert)
    assert rejected.get_by_test_id("alert-next-step").inner_text().startswith("No action")
    assert rejected.get_by_test_id("outcome-no_action").is_visible()
    assert rejected.get_by_test_id("outcome-arrested").count() == 0  # never on a false alert

    ended = _card(page, alerts.of_ended)
    label = ended.get_by_test_id("alert-status").text_content()
    assert label == "deployment ended \u2013 not reviewed"

    # An outcome asks once more; Back records nothing.
    confirmed.get_by_test_id("outcome-engaged").click()
    assert "cannot be changed" in confirmed.get_by_test_id("alert-ask").inner_text()
    confirmed.get_by_test_id("alert-ask-back").click()
    assert confirmed.get_by_test_id("alert-outcome").count() == 0
    confirmed.get_by_test_id("outcome-engaged").click()
    confirmed.get_by_test_id("alert-ask-yes").click()
    confirmed.get_by_test_id("alert-outcome").filter(has_text="engaged (fred)").wait_for()

    # The handled history: newest first, the officer's own.
    page.get_by_test_id("tab-handled").click()
    handled = page.get_by_test_id("handled-alert")
    handled.first.wait_for()
    assert handled.count() == 1 and handled.first.get_attribute("data-alert-id") == alerts.confirmed
    shot(page, "field-officer-phone-handled")


COUNT_BEEPS = """() => {
  window.__beeps = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__beeps += 1;
    return create.call(this);
  };
  localStorage.setItem("lfr-alert-sound", "on");
}"""


def _stream_of(*alerts: dict[str, object]) -> str:
    return "".join(f"event: alert\nid: {a['id']}\ndata: {json.dumps(a)}\n\n" for a in alerts)


def test_a_new_alert_changes_the_tab_title_and_beeps_when_sound_is_on(
    browser: Browser, review_server: Server, seeded_alerts: tuple[Path, Alerts]
) -> None:
    _, alerts = seeded_alerts
    page = _open_queue(browser, review_server, "olive", DESKTOP)
    assert page.title() == "Alerts · OpenLFR"  # the queue sent on connect is not news
    known = page.evaluate("id => LFR.api('GET', `/api/alerts/${id}`)", alerts.confirmed)
    now = datetime.now(UTC).isoformat()
    arriving = [{**known, "id": str(uuid.uuid4()), "raised_at": now} for _ in range(2)]
    page = page.context.new_page()
    page.add_init_script(f"({COUNT_BEEPS})()")
    # Two alerts raised just now arrive on the live stream.
    page.route(
        "**/api/alerts/stream*",
        lambda route: route.fulfill(
            status=200, content_type="text/event-stream", body=_stream_of(*arriving)
        ),
    )
    page.goto(f"{review_server.url}/alerts")
    for alert in arriving:
        _card(page, str(alert["id"]))
    page.wait_for_function("() => document.title.startsWith('(2)')")
    assert page.title() == "(2) New alert \u2013 OpenLFR"
    assert page.get_by_test_id("alert-sound").is_checked()
    assert page.evaluate("window.__beeps") == 2
    page.keyboard.press("Shift")  # the officer is back at the page
    assert page.title() == "Alerts · OpenLFR"
