"""Two-person verification under the EU profile (EU AI Act Art. 14(5)): a mandatory, blind
second verifier; trained verifiers only; switching it off only with a recorded legal basis.
Every refusal names its source and writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lfr.access.services import Services
from lfr.governance.accounts.users import list_users, set_training
from lfr.governance.alerts import adjudication as adj
from lfr.governance.law import policy_service
from lfr.governance.law.policy import Policy
from lfr.governance.law.profiles import RuleRefusalError
from lfr.store.tables import PolicyVersion
from tests.gov.conftest import ADMIN, OPERATOR, OPERATOR_2
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    add_users,
    audit_count,
    audit_entries,
    fixed_clock,
    run_cli,
    set_policy,
    snapshot,
    use_cli,
)

EU = Policy(profile="eu-ai-act")
"""The EU profile with the policy's defaults: second_confirmer_required is false, and no legal
basis switches the second verifier off, so the profile makes it mandatory."""


@pytest.fixture
def svc(services: Services) -> Services:
    svc = fixed_clock(services)
    add_users(svc)
    set_policy(svc, EU)
    for operator in (OPERATOR, OPERATOR_2):
        set_training(svc, ADMIN, operator.username, NOW + timedelta(days=30))
    return svc


def test_a_first_false_alert_waits_for_a_blind_second_verdict(svc: Services) -> None:
    alert_id = add_alert(svc, add_deployment(svc))
    first = adj.adjudicate(svc, OPERATOR, alert_id, "false_alert")
    # Every verdict waits, so the status does not tell the second what the first said.
    assert first.status == "awaiting_second" and first.blind_review
    seen_by_second = adj.get_alert(svc, OPERATOR_2, alert_id)
    assert (seen_by_second.adjudicated_by, seen_by_second.adjudicated_at) == (None, None)
    assert adj.get_alert(svc, OPERATOR, alert_id).adjudicated_by == OPERATOR.username
    listed = adj.list_alerts(svc, OPERATOR_2, status="awaiting_second")
    assert [v.adjudicated_by for v in listed] == [None]

    final = adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)
    assert final.status == "false_alert"  # one "not a match" is enough to stop any action
    verifiers = (final.adjudicated_by, final.second_confirmer)
    assert verifiers == (OPERATOR.username, OPERATOR_2.username)


def test_a_match_is_confirmed_only_when_both_say_so(svc: Services) -> None:
    deployment = add_deployment(svc)
    both = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, both, "confirmed")
    assert adj.second_confirm(svc, OPERATOR_2, both, agree=True).status == "confirmed"
    split = add_alert(svc, deployment, seed=2)
    adj.adjudicate(svc, OPERATOR, split, "confirmed")
    assert adj.second_confirm(svc, OPERATOR_2, split, agree=False).status == "false_alert"


@pytest.mark.parametrize("training", [None, NOW - timedelta(days=1)], ids=["none", "expired"])
def test_an_untrained_first_verifier_is_refused_naming_art_14_5(
    services: Services, training: object
) -> None:
    svc = fixed_clock(services)
    add_users(svc)
    set_policy(svc, EU)
    if training is not None:
        set_training(svc, ADMIN, OPERATOR.username, NOW - timedelta(days=1))
    alert_id = add_alert(svc, add_deployment(svc))
    before = snapshot(svc)
    with pytest.raises(RuleRefusalError, match=r"Art\. 14\(5\)") as refused:
        adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    assert "olive" in str(refused.value) and ("expired" in str(refused.value)) == bool(training)
    assert snapshot(svc) == before


def test_an_untrained_second_verifier_is_refused_and_nothing_is_written(svc: Services) -> None:
    set_training(svc, ADMIN, OPERATOR_2.username, NOW)  # ends now: no longer current
    alert_id = add_alert(svc, add_deployment(svc))
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    before = snapshot(svc)
    with pytest.raises(RuleRefusalError, match=r"EU AI Act Art\. 14\(5\).*two trained people"):
        adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)
    assert snapshot(svc) == before


def test_switching_the_second_verifier_off_needs_a_legal_basis(svc: Services) -> None:
    def versions() -> int:
        with svc.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(PolicyVersion)) or 0)

    stored, logged = versions(), audit_count(svc)
    with pytest.raises(RuleRefusalError, match=r"legal basis.*Art\. 14\(5\)"):
        policy_service.set_policy(svc, ADMIN, EU)
    assert (versions(), audit_count(svc)) == (stored, logged)

    basis = "National law X s.12: second verification disproportionate for missing children"
    policy_service.set_policy(
        svc, ADMIN, EU.model_copy(update={"second_verifier_off_legal_basis": basis})
    )
    alert_id = add_alert(svc, add_deployment(svc))
    # Off: one trained verifier decides (the training is still required).
    assert adj.adjudicate(svc, OPERATOR, alert_id, "confirmed").status == "confirmed"


def test_uk_profile_keeps_the_one_verifier_flow_without_training(services: Services) -> None:
    svc = fixed_clock(services)
    add_users(svc)
    alert_id = add_alert(svc, add_deployment(svc))
    view = adj.adjudicate(svc, OPERATOR, alert_id, "false_alert")
    assert (view.status, view.blind_review) == ("false_alert", False)


def test_training_is_recorded_by_an_admin_audited_and_listed(
    svc: Services,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_cli(settings, monkeypatch)  # type: ignore[arg-type]
    code, out, _ = run_cli(
        capsys, "user", "training", "fred", "--until", "2026-03-31", "--user", "ada"
    )
    assert code == 0 and "until 2026-03-31" in out
    (fred,) = [u for u in list_users(svc, ADMIN) if u.username == "fred"]
    assert (
        fred.training_until is not None and fred.training_until.date().isoformat() == "2026-03-31"
    )
    entry = audit_entries(svc, "user.training")[-1]
    assert (entry.actor, entry.target) == ("ada", "user:fred")
    code, _, err = run_cli(
        capsys, "user", "training", "fred", "--until", "2026-03-31", "--user", "olive"
    )
    assert code != 0 and "may not user.manage" in err
