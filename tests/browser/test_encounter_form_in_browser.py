"""The encounter form on a field officer's 390x844 phone (issue 11): "Arrested" opens the form,
an arrest without the corroboration used is refused with the rule's source shown in plain
words, a corroborated one is recorded as the alert's outcome; a stop no alert caused is
recorded from the alerts page with its reason. The page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from lfr.access.roles import Actor, Role
from lfr.app import build_services, init_data_dir
from lfr.config import Settings
from lfr.governance.accounts import users
from lfr.governance.alerts import adjudication as adj
from lfr.store.tables import Encounter
from tests.browser.conftest import ACCOUNTS, PASSWORD, Server, Shots, log_in
from tests.gov.factories import add_alert, add_deployment
from tests.waiting import wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

PHONE: ViewportSize = {"width": 390, "height": 844}
OLIVE = Actor("olive", Role.OPERATOR)
FRED = Actor("fred", Role.FIELD_OFFICER)


def _seed(data_dir: Path) -> tuple[int, str]:
    settings = Settings(data_dir=data_dir)
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        users.bootstrap_admin(services, "admin", PASSWORD)
        admin = Actor("admin", Role.ADMIN)
        for actor in (OLIVE, FRED):
            users.create_user(services, admin, actor.username, PASSWORD, ACCOUNTS[actor.username])
        deployment = add_deployment(services, state="live", assigned=(OLIVE, FRED))
        alert_id = add_alert(services, deployment, seed=7)
        adj.adjudicate(services, OLIVE, alert_id, "confirmed")
        return deployment, alert_id
    finally:
        services.db.dispose()


def _encounters(data_dir: Path) -> list[tuple[str | None, str, str]]:
    services = build_services(Settings(data_dir=data_dir), {})
    try:
        with services.transaction() as session:
            rows = session.execute(
                select(Encounter.alert_id, Encounter.outcome, Encounter.reason).order_by(
                    Encounter.id
                )
            ).all()
            return [(a, o, r) for a, o, r in rows]
    finally:
        services.db.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    data_dir = tmp_path_factory.mktemp("encounters") / "data"
    deployment, alert_id = _seed(data_dir)
    return data_dir, deployment, alert_id


@pytest.fixture(scope="module")
def server(seeded: tuple[Path, int, str]) -> Iterator[Server]:
    data_dir = seeded[0]
    running = Server(data_dir, data_dir.parent / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _phone(browser: Browser, server: Server) -> Page:
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, server.url, "fred", "/alerts")
    page.wait_for_selector('[data-testid="stream-status"][data-state="live"]')
    assert errors == [], errors
    return page


def _fits(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_the_encounter_form_on_a_phone(
    browser: Browser, server: Server, seeded: tuple[Path, int, str], artifacts: Path
) -> None:
    data_dir, deployment, alert_id = seeded
    shot = Shots(artifacts)
    page = _phone(browser, server)
    card = page.locator(f'[data-testid="alert-card"][data-alert-id="{alert_id}"]')
    card.wait_for()

    card.get_by_test_id("outcome-arrested").click()
    form = card.get_by_test_id("encounter-form")
    assert form.get_by_test_id("encounter-outcome").input_value() == "arrested"
    form.get_by_test_id("encounter-stopped").check()
    form.get_by_test_id("encounter-check").select_option("none")
    form.get_by_test_id("encounter-submit").click()
    message = page.get_by_test_id("message")
    message.filter(has_text="on the match alone").wait_for()
    assert "EU AI Act Art. 5(3), last sentence" in message.inner_text()
    assert message.get_attribute("data-kind") == "error" and _encounters(data_dir) == []
    assert _fits(page), "the encounter form scrolls sideways on a 390 px phone"
    shot(page, "field-officer-phone-encounter-refused")

    form.get_by_test_id("encounter-check").select_option("police_database")
    form.get_by_test_id("encounter-check-detail").fill("PNC check, custody photo")
    form.get_by_test_id("encounter-submit").click()
    card.get_by_test_id("alert-outcome").filter(has_text="arrested (fred)").wait_for()
    assert _encounters(data_dir) == [(alert_id, "arrested", "")]

    stop = page.get_by_test_id("stop-without-alert")
    stop.locator("summary").click()
    stop.get_by_test_id("encounter-deployment").fill(str(deployment))
    stop.get_by_test_id("encounter-reason").fill("covering their face")
    assert _fits(page)
    shot(page, "field-officer-phone-stop-without-alert")
    stop.get_by_test_id("encounter-submit").click()
    # The arrest's "recorded" message may still be shown: wait for the stop's own row.
    wait_until(lambda: len(_encounters(data_dir)) == 2, what="the stop recorded")
    message.filter(has_text="recorded").wait_for()
    assert _encounters(data_dir)[-1] == (None, "no_action", "covering their face")
