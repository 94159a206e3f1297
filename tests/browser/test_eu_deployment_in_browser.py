"""An EU-profile deployment in the browser (issue 11, "done when"): the force's reasoned request
on the deployment page, the independent authority's grant on its decision page, then an alert
verified by two operators (the second without seeing the first verdict) and the encounter
recorded by the field officer on a 390x844 phone.

Planning, internal authorisation and signage are seeded through the services (other browser
tests walk them), and the start is made through the lifecycle service rather than the page's
button, so no camera worker is needed; the alert is stored as alert intake would store it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.app import build_services, init_data_dir
from lfr.config import Settings
from lfr.governance.accounts import users
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import Policy
from lfr.governance.records.documents import FRIA_FIELDS, DocumentKind
from lfr.store.tables import DocumentRow, Encounter
from tests.browser.conftest import PASSWORD, Server, Shots
from tests.gov.factories import add_alert, add_watchlist, assign_officers, make_plan, set_policy

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
ARTHUR = Actor("arthur", Role.AUTHORISING_OFFICER)
BETH = Actor("beth", Role.AUTHORISING_OFFICER)
OLIVE = Actor("olive", Role.OPERATOR)
OTTO = Actor("otto", Role.OPERATOR)
FRED = Actor("fred", Role.FIELD_OFFICER)
JUDGE = Actor("judge-jones", Role.INDEPENDENT_AUTHORITY)


@dataclass(frozen=True)
class Planned:
    data_dir: Path
    deployment_id: int


def _eu_policy(services: Services) -> None:
    set_policy(
        services,
        Policy(
            profile="eu-ai-act",
            eu_database_registration="EU-DB-2026-0042",
            second_confirmer_required=True,
        ),
    )
    with services.transaction() as session:
        for kind in DocumentKind:
            session.add(
                DocumentRow(
                    kind=kind.value,
                    version="1",
                    title=f"{kind.value} v1",
                    sha256="0" * 64,
                    review_by=date(2099, 1, 1),
                    fria_fields={key: "completed" for key in FRIA_FIELDS},
                    created_at=services.clock(),
                    created_by="test",
                )
            )


def _seed(data_dir: Path) -> int:
    settings = Settings(data_dir=data_dir)
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        users.bootstrap_admin(services, "admin", PASSWORD)
        admin = Actor("admin", Role.ADMIN)
        for actor in (ARTHUR, BETH, OLIVE, OTTO, FRED, JUDGE):
            users.create_user(services, admin, actor.username, PASSWORD, actor.role)
        trained = datetime.now(UTC) + timedelta(days=365)
        for operator in (OLIVE, OTTO):
            users.set_training(services, admin, operator.username, trained)
        _eu_policy(services)
        now = services.clock()
        plan = make_plan(
            add_watchlist(services, name="eu-list"),
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=3),
            objective="ii",
        )
        deployment_id = dep.plan_deployment(services, ARTHUR, plan)
        dep.authorise(services, BETH, deployment_id, "imminent threat to life, case 12")
        dep.confirm_signage(services, ARTHUR, deployment_id, "SIGN-PHOTO-9")
        assign_officers(services, deployment_id, OLIVE, OTTO, FRED)
        return deployment_id
    finally:
        services.db.dispose()


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Planned:
    data_dir = tmp_path_factory.mktemp("eu-deployment") / "data"
    return Planned(data_dir, _seed(data_dir))


@pytest.fixture(scope="module")
def eu_server(planned: Planned) -> Iterator[Server]:
    running = Server(planned.data_dir, planned.data_dir.parent / "server.log")
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _page(browser: Browser, server: Server, username: str, home: str, view: ViewportSize) -> Page:
    context = browser.new_context(viewport=view)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("current-user").wait_for()  # logged in, on the role's own home page
    page.goto(f"{server.url}{home}")
    return page


def _services(planned: Planned) -> Services:
    return build_services(Settings(data_dir=planned.data_dir), {})


def test_request_grant_two_blind_verifiers_and_an_encounter(
    browser: Browser, eu_server: Server, planned: Planned, artifacts: Path, tmp_path: Path
) -> None:
    shot = Shots(artifacts)
    deployment = planned.deployment_id

    # 1. The force's reasoned request, on the deployment page.
    arthur = _page(browser, eu_server, "arthur", f"/deployments/{deployment}", DESKTOP)
    form = arthur.get_by_test_id("authority-request-form")
    form.locator("textarea[name=justification_harm]").fill("a credible threat to life tonight")
    form.locator("textarea[name=justification_rights]").fill("three hours, one camera, signed")
    form.get_by_test_id("authority-request-save").click()
    arthur.get_by_test_id("authority-status").filter(has_text="awaiting").wait_for()

    # 2. The independent authority grants it, with its document hashed in the page.
    judge = _page(browser, eu_server, "judge-jones", f"/authority/{deployment}", DESKTOP)
    order = tmp_path / "order.pdf"
    order.write_bytes(b"Order of the investigating judge")
    decision = judge.get_by_test_id("decision-form")
    decision.locator("input[name=grant][value=yes]").check()
    decision.locator("textarea[name=reasons]").fill("necessary and proportionate")
    decision.locator("input[name=document_ref]").fill("ORD-2026-17")
    decision.locator("input[name=file]").set_input_files(str(order))
    decision.get_by_test_id("decision-save").click()
    judge.get_by_test_id("authority-decision").filter(has_text="granted").wait_for()
    shot(judge, "eu-authority-granted")

    # 3. It goes live (inside its window) and a camera raises an alert.
    services = _services(planned)
    try:
        dep.start(services, OLIVE, deployment)
        alert_id = add_alert(services, deployment, seed=11)
    finally:
        services.db.dispose()

    # 4. Two operators verify it; the second does not see the first verdict.
    olive = _page(browser, eu_server, "olive", "/alerts", DESKTOP)
    card = olive.locator(f'[data-testid="alert-card"][data-alert-id="{alert_id}"]')
    olive.wait_for_selector(f'[data-alert-id="{alert_id}"][data-faces="loaded"]')
    card.get_by_test_id("alert-confirm").click()
    card.get_by_test_id("alert-ask-yes").click()
    olive.wait_for_selector(f'[data-alert-id="{alert_id}"][data-status="awaiting_second"]')

    otto = _page(browser, eu_server, "otto", "/alerts", DESKTOP)
    second = otto.locator(f'[data-testid="alert-card"][data-alert-id="{alert_id}"]')
    otto.wait_for_selector(f'[data-alert-id="{alert_id}"][data-faces="loaded"]')
    assert "olive" not in second.inner_text()  # neither who decided first nor what
    assert second.get_by_test_id("alert-second-agree").inner_text() == "Same person"
    shot(otto, "eu-blind-second-verifier")
    second.get_by_test_id("alert-second-agree").click()
    second.get_by_test_id("alert-ask-yes").click()
    otto.wait_for_selector(f'[data-alert-id="{alert_id}"][data-status="confirmed"]')

    # 5. The field officer records the encounter on a phone.
    fred = _page(browser, eu_server, "fred", "/alerts", PHONE)
    phone_card = fred.locator(f'[data-testid="alert-card"][data-alert-id="{alert_id}"]')
    phone_card.get_by_test_id("encounter-open").click()
    encounter = phone_card.get_by_test_id("encounter-form")
    encounter.get_by_test_id("encounter-stopped").check()
    encounter.get_by_test_id("encounter-outcome").select_option("engaged")
    encounter.get_by_test_id("encounter-submit").click()
    phone_card.get_by_test_id("alert-outcome").filter(has_text="engaged (fred)").wait_for()
    shot(fred, "eu-encounter-recorded-on-phone")

    services = _services(planned)
    try:
        with services.transaction() as session:
            recorded = session.execute(
                select(Encounter.alert_id, Encounter.officer, Encounter.stopped)
            ).all()
    finally:
        services.db.dispose()
    assert [tuple(r) for r in recorded] == [(alert_id, "fred", True)]
