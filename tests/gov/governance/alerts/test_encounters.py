"""Encounters: one for every alert and for stops no alert caused; an arrest needs the
corroboration used; a long stop needs a reason; under the EU profile nothing is done about an
alert two people have not verified. Each refusal names its source and writes nothing; the
published record counts the stops, their lengths and the arrests by category."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from lfr.access.services import Services
from lfr.errors import LfrError
from lfr.governance.accounts.users import set_training
from lfr.governance.alerts import adjudication as adj
from lfr.governance.alerts.encounters import EncounterForm, list_encounters, record_encounter
from lfr.governance.law.policy import DEFAULT_CATEGORIES, Policy
from lfr.governance.law.profiles import RuleRefusalError
from lfr.governance.records.figures import NO_ALERT
from lfr.governance.records.published import build_record
from lfr.store.tables import Deployment, Encounter, WatchlistEntry
from tests.gov.conftest import ADMIN, FIELD, OPERATOR, OPERATOR_2, OVERSIGHT
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    add_users,
    alert_row,
    assert_chain_ok,
    audit_count,
    audit_entries,
    count,
    ensure_snapshot,
    fixed_clock,
    set_policy,
)

START = NOW - timedelta(minutes=30)


@pytest.fixture
def svc(services: Services) -> Services:
    svc = fixed_clock(services)
    add_users(svc)
    return svc


def _form(**changes: object) -> EncounterForm:
    fields: dict[str, object] = {
        "stopped": True,
        "started_at": START,
        "ended_at": START + timedelta(minutes=4),
        "identity_check": "identity_document",
        "outcome": "engaged",
    }
    return EncounterForm(**(fields | changes))  # type: ignore[arg-type]


def _confirmed_alert(svc: Services, deployment: int, seed: int = 1) -> str:
    alert_id = add_alert(svc, deployment, seed=seed)
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    return alert_id


def _unchanged(svc: Services) -> tuple[int, int]:
    return count(svc, Encounter), audit_count(svc)


def test_an_arrest_on_the_match_alone_is_refused_naming_its_source(svc: Services) -> None:
    alert_id = _confirmed_alert(svc, add_deployment(svc))
    before = _unchanged(svc)
    arrest = _form(alert_id=alert_id, outcome="arrested", identity_check="none")
    with pytest.raises(RuleRefusalError, match=r"match alone.*Art\. 5\(3\), last sentence"):
        record_encounter(svc, FIELD, arrest)
    assert _unchanged(svc) == before and alert_row(svc, alert_id).outcome is None

    checked = _form(alert_id=alert_id, outcome="arrested", identity_check="police_database")
    view = record_encounter(svc, FIELD, checked)
    row = alert_row(svc, alert_id)
    assert (view.outcome, row.outcome, row.outcome_by) == ("arrested", "arrested", "fred")
    assert row.outcome_corroboration == "police database check"
    (entry,) = audit_entries(svc, "encounter.record")
    assert entry.details["alert"] == alert_id and entry.details["minutes"] == 4.0


def test_other_corroboration_must_be_written_in(svc: Services) -> None:
    alert_id = _confirmed_alert(svc, add_deployment(svc))
    with pytest.raises(LfrError, match="'other' needs the check written in"):
        record_encounter(svc, FIELD, _form(alert_id=alert_id, identity_check="other"))
    written = _form(alert_id=alert_id, identity_check="other", identity_check_detail="tattoo")
    assert record_encounter(svc, FIELD, written).identity_check_detail == "tattoo"


def test_a_stop_longer_than_the_profile_limit_needs_a_reason(svc: Services) -> None:
    alert_id = _confirmed_alert(svc, add_deployment(svc))
    long_stop = _form(alert_id=alert_id, ended_at=START + timedelta(minutes=25))
    before = _unchanged(svc)
    with pytest.raises(RuleRefusalError, match=r"25 minutes, longer than 10.*Thompson"):
        record_encounter(svc, FIELD, long_stop)
    assert _unchanged(svc) == before
    reason = "waited for the custody record to come back"
    recorded = record_encounter(svc, FIELD, dataclasses.replace(long_stop, reason=reason))
    assert (recorded.minutes, recorded.reason) == (25.0, reason)


def test_a_stop_no_alert_caused_is_recorded_with_its_reason(svc: Services) -> None:
    deployment = add_deployment(svc)
    with pytest.raises(LfrError, match="needs the reason"):
        record_encounter(svc, FIELD, _form(deployment_id=deployment))
    covering = _form(deployment_id=deployment, reason="covering their face", outcome="no_action")
    view = record_encounter(svc, FIELD, covering)
    assert (view.alert_id, view.deployment_id, view.officer) == (None, deployment, "fred")
    assert [v.id for v in list_encounters(svc, OVERSIGHT, deployment)] == [view.id]


def test_one_encounter_per_alert_and_only_once_it_is_decided(svc: Services) -> None:
    deployment = add_deployment(svc)
    pending = add_alert(svc, deployment)
    with pytest.raises(LfrError, match="not yet adjudicated"):
        record_encounter(svc, FIELD, _form(alert_id=pending))
    alert_id = _confirmed_alert(svc, deployment, seed=2)
    record_encounter(svc, FIELD, _form(alert_id=alert_id, stopped=False, ended_at=None))
    with pytest.raises(LfrError, match="already has its encounter"):
        record_encounter(svc, FIELD, _form(alert_id=alert_id))


def test_under_the_eu_profile_no_encounter_before_two_people_verified(svc: Services) -> None:
    set_policy(svc, Policy(profile="eu-ai-act"))
    for operator in (OPERATOR, OPERATOR_2):
        set_training(svc, ADMIN, operator.username, NOW + timedelta(days=1))
    alert_id = add_alert(svc, add_deployment(svc))
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")  # one verdict: awaiting the second
    before = _unchanged(svc)
    with pytest.raises(RuleRefusalError, match=r"not yet verified by two people.*Art\. 14\(5\)"):
        record_encounter(svc, FIELD, _form(alert_id=alert_id))
    assert _unchanged(svc) == before


def test_the_record_counts_stops_their_lengths_arrests_by_category_and_the_profile(
    svc: Services,
) -> None:
    deployment = add_deployment(svc)
    with svc.transaction() as session:
        watchlist_id = session.get(Deployment, deployment).watchlist_id  # type: ignore[union-attr]
        session.execute(
            update(WatchlistEntry)
            .where(
                WatchlistEntry.watchlist_id == watchlist_id, WatchlistEntry.reference == "WL-0000"
            )
            .values(date_of_birth=date(2009, 1, 1))  # 16 on NOW
        )
    ensure_snapshot(svc, deployment)  # going live keeps the watchlist's facts
    arrested = _confirmed_alert(svc, deployment)
    record_encounter(
        svc,
        FIELD,
        _form(alert_id=arrested, outcome="arrested", ended_at=START + timedelta(minutes=6)),
    )
    not_stopped = _confirmed_alert(svc, deployment, seed=2)
    record_encounter(svc, FIELD, _form(alert_id=not_stopped, stopped=False, ended_at=None))
    record_encounter(
        svc,
        FIELD,
        _form(
            deployment_id=deployment,
            reason="covering their face, then ran",
            outcome="arrested",
            ended_at=START + timedelta(minutes=20),
        ),
    )
    with svc.transaction() as session:
        row = session.get(Deployment, deployment)
        assert row is not None
        record = build_record(session, row, NOW)
    assert record.profile == "uk"
    # add_watchlist's three entries, one in each of the first three categories
    assert record.entries_by_category == dict.fromkeys(DEFAULT_CATEGORIES[:3], 1)
    assert record.under_18_entries == 1
    assert (record.people_stopped, record.stop_minutes_median, record.stop_minutes_longest) == (
        2,
        13.0,
        20.0,
    )
    assert record.arrests_by_category == {"wanted by the courts": 1, NO_ALERT: 1}
    assert record.threshold == 0.5


def test_an_encounter_that_gives_the_alert_its_outcome_audits_it_and_the_chain_verifies(
    svc: Services,
) -> None:
    """Issue 22's false tamper alarm: the outcome an encounter set was missing from the audit
    log's story of the alert, so ``lfr audit verify`` reported the alert as altered."""
    deployment = add_deployment(svc)
    alert_id = _confirmed_alert(svc, deployment)
    encounter = record_encounter(svc, FIELD, _form(alert_id=alert_id, outcome="arrested"))
    [entry] = audit_entries(svc, "alert.outcome")
    assert entry.target == f"alert:{alert_id}" and entry.actor == FIELD.username
    assert entry.details["outcome"] == "arrested" and entry.details["encounter"] == encounter.id
    assert alert_row(svc, alert_id).outcome == "arrested"
    assert_chain_ok(svc)


def test_an_encounter_after_the_outcome_leaves_the_outcome_and_its_audit_alone(
    svc: Services,
) -> None:
    deployment = add_deployment(svc)
    alert_id = _confirmed_alert(svc, deployment)
    adj.record_outcome(svc, FIELD, alert_id, "engaged")
    record_encounter(svc, FIELD, _form(alert_id=alert_id, outcome="no_action"))
    assert [e.details["outcome"] for e in audit_entries(svc, "alert.outcome")] == ["engaged"]
    assert alert_row(svc, alert_id).outcome == "engaged"
    assert_chain_ok(svc)
