"""Issue 11, part G: the profile chosen and audited; the EU objective and Annex II offences; the
document registry; under-18 entries; the expected false alerts and the threshold floor. Every
refusal quotes its rule's source and writes nothing. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.errors import LfrError, PolicyViolationError
from lfr.governance.authority.requests import Decision, decide, request_authority
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.deployments.evaluations import deployment_cost, import_evaluation
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.law.policy import Policy
from lfr.governance.law.profile_choice import choose_profile
from lfr.governance.records.documents import NewDocument, add_document
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists.entry_details import EntryDetails, approve_child, set_entry_details
from lfr.store.tables import DocumentRow, EvaluationReportRow
from tests.gov.conftest import ADMIN, AUTHORISER, AUTHORISER_2, MANAGER, OPERATOR
from tests.gov.factories import (
    Clock,
    add_watchlist,
    audit_count,
    audit_entries,
    count,
    deployment_row,
    make_plan,
    ready,
    set_policy,
    with_clock,
)

AUTHORITY = Actor("ivy", Role.INDEPENDENT_AUTHORITY)
EU = Policy(
    profile="eu-ai-act", eu_database_registration="EU-DB-2026-0042", second_confirmer_required=True
)
FRIA_FIELDS = {key: f"Art. 27(1)({key}) answered" for key in "abcdef"}


def _document(services: Services, kind: str, **changes: Any) -> int:
    fields: dict[str, Any] = {
        "kind": kind,
        "version": "1.0",
        "title": "",
        "sha256": "ab" * 32,
        "review_by": date(2026, 1, 1),
        "fria_fields": FRIA_FIELDS if kind == "fria" else None,
    }
    fields.update(changes)
    return add_document(services, AUTHORISER, NewDocument(**fields))


def _eu_documents(services: Services) -> None:
    for kind in ("dpia", "equality_impact", "fria", "legal_mandate"):
        _document(services, kind)


def _refused_start(services: Services, deployment_id: int) -> str:
    """Start is refused; nothing was written (no audit entry, still not live)."""
    before = audit_count(services)
    with pytest.raises(LfrError) as refused:
        dep.start(services, OPERATOR, deployment_id)
    assert audit_count(services) == before
    assert deployment_row(services, deployment_id).state != DeploymentState.LIVE
    return str(refused.value)


def _eu(services: Services) -> tuple[Services, Clock]:
    svc, clock = with_clock(services)
    set_policy(svc, EU)
    return svc, clock


def _grant(services: Services, deployment_id: int) -> None:
    request_authority(services, OPERATOR, deployment_id, "harm if not used", "rights weighed")
    decide(services, AUTHORITY, deployment_id, Decision(True, "granted", "ORDER-1", "a" * 64))


# --- 1. the profile ----------------------------------------------------------------------------


def test_choosing_a_profile_is_a_new_policy_version_audited_as_what_changed(
    services: Services,
) -> None:
    profile, _ = choose_profile(services, ADMIN, "eu-ai-act")
    assert profile.name == "eu-ai-act"
    # Art. 14(5): the EU profile switches the second verifier on (no legal basis recorded).
    changed = audit_entries(services, "policy.set")[-1].details["changed"]
    assert changed == ["profile", "second_confirmer_required"]
    choose_profile(services, ADMIN, "uk")
    assert audit_entries(services, "policy.set")[-1].details["changed"] == ["profile"]
    with pytest.raises(PolicyViolationError, match="unknown profile"):
        choose_profile(services, ADMIN, "mars")


# --- 2. objective and offences -----------------------------------------------------------------


def test_eu_planning_without_an_objective_is_accepted_but_going_live_names_art_5_1_h(
    services: Services,
) -> None:
    svc, clock = _eu(services)
    _eu_documents(svc)
    deployment_id = ready(svc, clock)  # planning is never refused for what only going live needs
    _grant(svc, deployment_id)
    message = _refused_start(svc, deployment_id)
    assert "EU AI Act Art. 5(1)(h)" in message and "no Art. 5(1)(h) objective" in message


def test_objective_iii_refuses_entries_without_an_annex_ii_offence_of_four_years(
    services: Services,
) -> None:
    svc, clock = _eu(services)
    _eu_documents(svc)
    watchlist_id = add_watchlist(svc, name="wl-iii")
    details = EntryDetails(offence="rape", max_sentence_years=3)
    set_entry_details(svc, MANAGER, watchlist_id, "WL-0001", details)
    deployment_id = ready(svc, clock, watchlist_id, objective="iii")
    _grant(svc, deployment_id)
    message = _refused_start(svc, deployment_id)
    assert "EU AI Act Art. 5(1)(h)(iii) and Annex II" in message
    assert "without an Annex II offence: WL-0000, WL-0002" in message
    assert "under 4 years: WL-0001" in message


def test_an_offence_off_annex_ii_is_refused_and_not_written(services: Services) -> None:
    watchlist_id = add_watchlist(services)
    before = audit_count(services)
    with pytest.raises(PolicyViolationError, match="not an Annex II offence"):
        set_entry_details(services, MANAGER, watchlist_id, "WL-0000", EntryDetails("shoplifting"))
    assert audit_count(services) == before


# --- 5. documents ------------------------------------------------------------------------------


def test_uk_with_a_registry_needs_a_current_dpia_and_equality_assessment(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    _document(svc, "dpia", review_by=date(2025, 1, 1))  # overdue at T0 (June 2025)
    deployment_id = ready(svc, clock)
    message = _refused_start(svc, deployment_id)
    assert "was due for review on 2025-01-01 [Data Protection Act 2018 s.64" in message
    assert "no equality impact assessment is registered [Equality Act 2010 s.149" in message


def test_eu_needs_every_fria_field_a_legal_mandate_and_the_eu_database_registration(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, Policy(profile="eu-ai-act", second_confirmer_required=True))
    for kind in ("dpia", "equality_impact"):  # no legal mandate
        _document(svc, kind)
    _document(svc, "fria", fria_fields={**FRIA_FIELDS, "c": " "})
    deployment_id = ready(svc, clock, objective="ii")
    _grant(svc, deployment_id)
    message = _refused_start(svc, deployment_id)
    assert "leaves (c) empty [EU AI Act Art. 27" in message
    assert "no legal mandate is registered [EU AI Act Art. 5(5)" in message
    assert "no EU database registration number is recorded [EU AI Act Art. 49" in message


def test_a_malformed_document_is_refused_before_anything_is_written(services: Services) -> None:
    before = audit_count(services)
    with pytest.raises(PolicyViolationError, match="only a FRIA"):
        _document(services, "dpia", fria_fields={"a": "x"})
    with pytest.raises(PolicyViolationError, match="unknown document kind"):
        _document(services, "memo")
    assert count(services, DocumentRow) == 0 and audit_count(services) == before


# --- 8. children -------------------------------------------------------------------------------


def test_an_under_18_entry_needs_a_reason_and_an_approval_by_someone_else(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    watchlist_id = add_watchlist(svc, name="wl-child")
    child = EntryDetails(date_of_birth=date(2009, 1, 1))  # 16 at T0
    set_entry_details(svc, MANAGER, watchlist_id, "WL-0002", child)
    deployment_id = ready(svc, clock, watchlist_id)
    message = _refused_start(svc, deployment_id)
    assert "without a child-specific reason: WL-0002 [Liberty Investigates (2025)" in message
    set_entry_details(svc, MANAGER, watchlist_id, "WL-0002", EntryDetails(child_reason="at risk"))
    assert "not approved by an authorising officer: WL-0002" in _refused_start(svc, deployment_id)
    approve_child(svc, AUTHORISER, watchlist_id, "WL-0002")
    dep.start(svc, OPERATOR, deployment_id)
    assert deployment_row(svc, deployment_id).state == DeploymentState.LIVE


# --- 9. cost -----------------------------------------------------------------------------------


def _report(fair_at: float) -> bytes:
    rows = [
        {"threshold": t, "fmr_per_comparison": {"value": fmr}}
        for t, fmr in ((0.4, 1e-6), (0.5, 1e-5), (0.6, 1e-4))
    ]
    comparisons = [
        {"threshold": t, "verdict": "significant difference" if t > fair_at else "no difference"}
        for t in (0.4, 0.5, 0.6)
    ]
    report = {
        "identification": {"by_threshold": rows},
        "equitability": {"comparisons": comparisons},
    }
    return json.dumps(report).encode()


def test_the_authoriser_sees_expected_false_alerts_from_the_imported_evaluation(
    services: Services,
) -> None:
    svc, _ = with_clock(services)
    deployment_id = dep.plan_deployment(
        svc, OPERATOR, _plan(svc, expected_footfall=20_000, threshold=0.48)
    )
    assert deployment_cost(svc, AUTHORISER, deployment_id) == "no evaluation imported"
    import_evaluation(svc, ADMIN, _report(fair_at=0.6))
    cost = deployment_cost(svc, AUTHORISER, deployment_id)
    expected = 20_000 * (1 - (1 - 1e-5) ** 3)  # 3 entries, threshold 0.5 is nearest to 0.48
    assert cost.startswith(f"expected false alerts {expected:.2f} = footfall 20000")
    assert "threshold 0.5 (nearest evaluated to 0.48)" in cost


def test_a_threshold_looser_than_the_fair_operating_point_needs_a_reason(
    services: Services,
) -> None:
    svc, _ = with_clock(services)
    import_evaluation(svc, ADMIN, _report(fair_at=0.4))
    assert count(svc, EvaluationReportRow) == 1
    deployment_id = dep.plan_deployment(svc, OPERATOR, _plan(svc, threshold=0.5))
    before = audit_count(svc)
    with pytest.raises(PolicyViolationError) as refused:
        dep.authorise(svc, AUTHORISER, deployment_id, "case 41")
    assert "looser than the evaluated fair operating point 0.4" in str(refused.value)
    assert "[NPL 2023 evaluation; Bridges [2020] para 181" in str(refused.value)
    assert audit_count(svc) == before
    assert deployment_row(svc, deployment_id).state == DeploymentState.DRAFT
    dep.authorise(
        svc, AUTHORISER_2, deployment_id, "case 41", threshold_reason="crowded, poor light"
    )
    assert deployment_row(svc, deployment_id).threshold_reason == "crowded, poor light"


def _plan(services: Services, **changes: Any) -> DeploymentPlan:
    return make_plan(add_watchlist(services, name=f"wl-{uuid.uuid4().hex[:8]}"), **changes)


# --- whole deployments through go-live ---------------------------------------------------------


def test_a_uk_deployment_goes_live_on_its_pinned_documents(services: Services) -> None:
    svc, clock = with_clock(services)
    dpia = _document(svc, "dpia")
    _document(svc, "equality_impact")
    deployment_id = ready(svc, clock)
    dep.start(svc, OPERATOR, deployment_id)
    row = deployment_row(svc, deployment_id)
    assert row.state == DeploymentState.LIVE
    assert row.pinned_documents is not None
    assert row.pinned_documents["dpia"]["id"] == dpia
    assert set(row.pinned_documents) == {"dpia", "equality_impact"}


def test_an_eu_deployment_under_objective_iii_goes_live_when_every_rule_is_met(
    services: Services,
) -> None:
    svc, clock = _eu(services)
    _eu_documents(svc)
    watchlist_id = add_watchlist(svc, name="wl-eu")
    for reference in ("WL-0000", "WL-0001", "WL-0002"):
        details = EntryDetails(offence="terrorism", max_sentence_years=10)
        set_entry_details(svc, MANAGER, watchlist_id, reference, details)
    deployment_id = ready(svc, clock, watchlist_id, objective="iii", expected_footfall=5000)
    _grant(svc, deployment_id)
    conditions = {c.name: c.met for c in dep.checklist(svc, OPERATOR, deployment_id)}
    assert {"objective", "offences", "documents", "registration", "children"} <= set(conditions)
    dep.start(svc, OPERATOR, deployment_id)
    row = deployment_row(svc, deployment_id)
    assert row.state == DeploymentState.LIVE
    assert set(row.pinned_documents or {}) == {"dpia", "equality_impact", "fria", "legal_mandate"}
