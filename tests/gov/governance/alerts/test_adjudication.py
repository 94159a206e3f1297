"""Human in the loop: alerts are reviewed, decided, second-confirmed, held and given outcomes
under the role and state rules, and every refusal writes nothing."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from lfr.access.roles import ASSIGNED_ONLY, PERMISSIONS, Action, Actor, Role
from lfr.access.services import Services
from lfr.config import Settings
from lfr.errors import LfrError, NotFoundError, PermissionDeniedError, StateError
from lfr.governance.alerts import adjudication as adj
from lfr.governance.law.policy import Policy
from lfr.governance.law.profiles import RuleRefusalError
from lfr.governance.records.published import build_record, publish_record
from lfr.governance.retention import holds
from lfr.store.tables import (
    Deployment,
    DeploymentRecord,
)
from tests.gov.conftest import ADMIN, AUTHORISER, FIELD, OPERATOR, OPERATOR_2, OVERSIGHT
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    add_users,
    alert_row,
    assign_officers,
    audit_entries,
    fixed_clock,
    jpeg,
    run_cli,
    set_policy,
    snapshot,
    use_cli,
)


@pytest.fixture
def svc(services: Services) -> Services:
    return fixed_clock(services)


@pytest.fixture
def deployment(svc: Services) -> int:
    return add_deployment(svc)


# --- reading --------------------------------------------------------------------------------


def test_list_filters_and_hides_crops(svc: Services, deployment: int) -> None:
    other = add_deployment(svc)
    first = add_alert(svc, deployment, raised_at=NOW - timedelta(minutes=5))
    second = add_alert(svc, deployment, raised_at=NOW - timedelta(minutes=1))
    elsewhere = add_alert(svc, other)
    adj.adjudicate(svc, OPERATOR, second, "false_alert")

    views = adj.list_alerts(svc, OVERSIGHT)
    assert {v.id for v in views} == {first, second, elsewhere}
    assert [v.id for v in adj.list_alerts(svc, FIELD, deployment_id=deployment)] == [
        first,
        second,
    ]
    assert [v.id for v in adj.list_alerts(svc, OPERATOR, status="pending")] == [first, elsewhere]
    only = adj.list_alerts(svc, OPERATOR, deployment_id=deployment, status="false_alert")
    assert [v.id for v in only] == [second]
    fields = {f.name for f in dataclasses.fields(adj.AlertView)}
    assert not fields & {"probe_crop_enc", "enrolled_crop_enc"}
    assert views[0].has_media and views[0].threshold == 0.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        views[0].status = "confirmed"  # type: ignore[misc]
    with pytest.raises(LfrError, match="unknown alert status"):
        adj.list_alerts(svc, OPERATOR, status="bogus")


def test_media_is_decrypted_audited_and_gone_once_purged(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment, seed=7)
    media = adj.alert_media(svc, OPERATOR, alert_id)
    assert media == (jpeg(7), jpeg(1007))
    viewed = audit_entries(svc, "alert.media.viewed")
    assert [(e.actor, e.target) for e in viewed] == [(OPERATOR.username, f"alert:{alert_id}")]
    assert viewed[0].details == {"deployment": deployment}  # ids only, no biometric data

    with svc.transaction() as session:
        session.execute(text("UPDATE alerts SET probe_crop_enc = NULL, enrolled_crop_enc = NULL"))
    before = snapshot(svc)
    assert adj.alert_media(svc, OVERSIGHT, alert_id) is None
    assert snapshot(svc) == before


def test_unknown_alert_is_not_found(svc: Services) -> None:
    with pytest.raises(NotFoundError):
        adj.adjudicate(svc, OPERATOR, "no-such-alert", "confirmed")
    with pytest.raises(NotFoundError):
        adj.alert_media(svc, OPERATOR, "no-such-alert")


# --- adjudication ---------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["confirmed", "false_alert"])
def test_adjudicate_records_who_and_when(svc: Services, deployment: int, decision: str) -> None:
    alert_id = add_alert(svc, deployment)
    view = adj.adjudicate(svc, OPERATOR, alert_id, decision, note="  checked face and clothing ")
    row = alert_row(svc, alert_id)
    assert view.status == row.status == decision
    assert row.adjudicated_by == OPERATOR.username and row.adjudicated_at == NOW
    (entry,) = audit_entries(svc, "alert.adjudicate")
    assert entry.actor == OPERATOR.username and entry.target == f"alert:{alert_id}"
    assert entry.details == {
        "deployment": deployment,
        "decision": decision,
        "status": decision,
        "note": "checked face and clothing",
        "record_updated": False,
    }


def test_only_pending_alerts_are_adjudicated(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    before = snapshot(svc)
    for actor, decision in ((OPERATOR, "false_alert"), (OPERATOR_2, "confirmed")):
        with pytest.raises(StateError, match="not pending"):
            adj.adjudicate(svc, actor, alert_id, decision)
    assert snapshot(svc) == before
    assert alert_row(svc, alert_id).status == "confirmed"


def test_bad_decision_or_note_writes_nothing(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    before = snapshot(svc)
    with pytest.raises(LfrError, match="decision must be one of"):
        adj.adjudicate(svc, OPERATOR, alert_id, "maybe")
    with pytest.raises(LfrError, match="note too long"):
        adj.adjudicate(svc, OPERATOR, alert_id, "confirmed", note="x" * (adj.MAX_NOTE + 1))
    assert snapshot(svc) == before


def test_second_confirmer_must_be_a_different_operator(svc: Services, deployment: int) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    alert_id = add_alert(svc, deployment)
    view = adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    assert view.status == "awaiting_second"

    before = snapshot(svc)
    with pytest.raises(PermissionDeniedError, match="different operator"):
        adj.second_confirm(svc, OPERATOR, alert_id, agree=True)
    with pytest.raises(StateError, match="not pending"):
        adj.adjudicate(svc, OPERATOR_2, alert_id, "confirmed")
    with pytest.raises(StateError, match="once the alert is adjudicated"):
        adj.record_outcome(svc, FIELD, alert_id, "engaged")
    assert snapshot(svc) == before

    view = adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)
    row = alert_row(svc, alert_id)
    assert view.status == row.status == "confirmed"
    assert (row.adjudicated_by, row.second_confirmer) == (OPERATOR.username, OPERATOR_2.username)
    (entry,) = audit_entries(svc, "alert.second_confirm")
    assert entry.actor == OPERATOR_2.username
    assert entry.details["agree"] is True and entry.details["first"] == OPERATOR.username

    with pytest.raises(StateError):
        adj.second_confirm(svc, OPERATOR_2, alert_id, agree=False)


def test_second_confirmer_who_disagrees_makes_a_false_alert(svc: Services, deployment: int) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    alert_id = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR_2, alert_id, "confirmed")
    assert adj.second_confirm(svc, OPERATOR, alert_id, agree=False).status == "false_alert"
    assert alert_row(svc, alert_id).second_confirmer == OPERATOR.username


def test_false_alert_needs_no_second_confirmer(svc: Services, deployment: int) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    alert_id = add_alert(svc, deployment)
    assert adj.adjudicate(svc, OPERATOR, alert_id, "false_alert").status == "false_alert"


def test_second_confirmation_only_when_awaited(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    with pytest.raises(StateError):
        adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")  # no second confirmer in this policy
    assert alert_row(svc, alert_id).status == "confirmed"
    with pytest.raises(StateError):
        adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)


# --- outcomes -------------------------------------------------------------------------------


def test_outcome_only_after_adjudication(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    before = snapshot(svc)
    with pytest.raises(StateError, match="once the alert is adjudicated"):
        adj.record_outcome(svc, FIELD, alert_id, "arrested")
    assert snapshot(svc) == before

    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    before = snapshot(svc)
    with pytest.raises(RuleRefusalError, match=r"on the match alone.*Art\. 5\(3\), last sentence"):
        adj.record_outcome(svc, FIELD, alert_id, "arrested")  # no corroboration written in
    assert snapshot(svc) == before
    view = adj.record_outcome(svc, FIELD, alert_id, "arrested", "police database check: PNC")
    row = alert_row(svc, alert_id)
    assert view.outcome == row.outcome == "arrested"
    assert (row.outcome_by, row.outcome_at) == (FIELD.username, NOW)
    assert row.outcome_corroboration == "police database check: PNC"
    (entry,) = audit_entries(svc, "alert.outcome")
    assert entry.actor == FIELD.username
    assert entry.details == {
        "deployment": deployment,
        "outcome": "arrested",
        "corroboration": "police database check: PNC",
        "status": "confirmed",
        "record_updated": False,
    }

    before = snapshot(svc)
    with pytest.raises(StateError, match="already has outcome"):
        adj.record_outcome(svc, FIELD, alert_id, "no_action")
    assert snapshot(svc) == before


def test_false_alert_engagement_is_recorded(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, alert_id, "false_alert")
    view = adj.record_outcome(svc, FIELD, alert_id, "engaged")
    assert (view.status, view.outcome) == ("false_alert", "engaged")


def test_unknown_outcome_is_refused(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
    before = snapshot(svc)
    with pytest.raises(LfrError, match="outcome must be one of"):
        adj.record_outcome(svc, FIELD, alert_id, "shot")
    assert snapshot(svc) == before


# --- published record -----------------------------------------------------------------------


def _ended_with_record(svc: Services, alerts: int) -> tuple[int, list[str]]:
    deployment = add_deployment(svc, state="ended", ended_at=NOW - timedelta(minutes=5))
    ids = [add_alert(svc, deployment) for _ in range(alerts)]
    with svc.transaction() as session:
        row = session.get(Deployment, deployment)
        assert row is not None
        publish_record(session, row, NOW)
    return deployment, ids


def _record_body(svc: Services, deployment: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(stored record, record rebuilt from the alerts as they are now), without the audit head
    each carries (the log has grown since the record was published)."""
    with svc.transaction() as session:
        row = session.get(Deployment, deployment)
        stored = session.get(DeploymentRecord, deployment)
        assert row is not None and stored is not None
        rebuilt = build_record(session, row, NOW).as_dict()
    return (
        {k: v for k, v in stored.body.items() if k != "audit_head"},
        {k: v for k, v in rebuilt.items() if k != "audit_head"},
    )


def test_late_decisions_update_the_published_record(svc: Services) -> None:
    deployment, (first, second) = _ended_with_record(svc, 2)
    adj.adjudicate(svc, OPERATOR, first, "confirmed")
    stored, rebuilt = _record_body(svc, deployment)
    assert stored == rebuilt
    adj.adjudicate(svc, OPERATOR, second, "false_alert")
    adj.record_outcome(svc, FIELD, second, "engaged")
    stored, rebuilt = _record_body(svc, deployment)
    assert stored == rebuilt
    details = [e.details["record_updated"] for e in audit_entries(svc, "alert.adjudicate")]
    assert details == [True, True]
    assert audit_entries(svc, "alert.outcome")[0].details["record_updated"] is True


def test_record_is_not_rebuilt_once_alerts_were_purged(svc: Services) -> None:
    deployment, (kept, purged) = _ended_with_record(svc, 2)
    with svc.transaction() as session:
        session.execute(text("DELETE FROM alerts WHERE id = :i"), {"i": purged})
    before, _ = _record_body(svc, deployment)
    view = adj.adjudicate(svc, OPERATOR, kept, "confirmed")
    assert view.status == "confirmed"
    after, rebuilt = _record_body(svc, deployment)
    assert after == before != rebuilt
    assert audit_entries(svc, "alert.adjudicate")[0].details["record_updated"] is False


# --- evidential hold ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_hold_requires_a_reason(svc: Services, deployment: int, reason: str) -> None:
    alert_id = add_alert(svc, deployment)
    before = snapshot(svc)
    with pytest.raises(LfrError, match="needs a reason"):
        holds.hold(svc, AUTHORISER, alert_id, reason)
    assert snapshot(svc) == before


def test_hold_and_release(svc: Services, deployment: int) -> None:
    alert_id = add_alert(svc, deployment)
    view = holds.hold(svc, AUTHORISER, alert_id, "Op Kestrel evidence, case 12/345")
    assert view.on_hold and view.hold_by == AUTHORISER.username
    before = snapshot(svc)
    with pytest.raises(StateError, match="already on hold"):
        holds.hold(svc, AUTHORISER, alert_id, "again")
    assert snapshot(svc) == before
    (held,) = audit_entries(svc, "alert.hold")
    assert held.details["reason"] == "Op Kestrel evidence, case 12/345"

    view = holds.release_hold(svc, AUTHORISER, alert_id, note="case closed")
    assert not view.on_hold and view.hold_by is None
    row = alert_row(svc, alert_id)
    assert row.hold_reason is None and row.hold_by is None
    (released,) = audit_entries(svc, "alert.hold.release")
    assert released.details["held_by"] == AUTHORISER.username
    before = snapshot(svc)
    with pytest.raises(StateError, match="not on hold"):
        holds.release_hold(svc, AUTHORISER, alert_id)
    assert snapshot(svc) == before


# --- roles ----------------------------------------------------------------------------------

Call = Callable[[Services, Actor, str], object]

CALLS: dict[Action, list[tuple[str, Call]]] = {
    Action.ALERT_READ: [
        ("list", lambda s, a, i: adj.list_alerts(s, a)),
        ("media", lambda s, a, i: adj.alert_media(s, a, i)),
        ("get", lambda s, a, i: adj.get_alert(s, a, i)),
    ],
    Action.ALERT_ADJUDICATE: [
        ("confirm", lambda s, a, i: adj.adjudicate(s, a, i, "confirmed")),
        ("reject", lambda s, a, i: adj.adjudicate(s, a, i, "false_alert")),
        ("second", lambda s, a, i: adj.second_confirm(s, a, i, agree=True)),
    ],
    Action.ALERT_OUTCOME: [("outcome", lambda s, a, i: adj.record_outcome(s, a, i, "engaged"))],
    Action.ALERT_HOLD: [
        ("hold", lambda s, a, i: holds.hold(s, a, i, "evidence")),
        ("release", lambda s, a, i: holds.release_hold(s, a, i)),
    ],
}


def test_every_other_role_is_refused_and_nothing_written(svc: Services, deployment: int) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    pending = add_alert(svc, deployment)
    awaiting = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, awaiting, "confirmed")
    decided = add_alert(svc, deployment)
    adj.adjudicate(svc, OPERATOR, decided, "false_alert")
    held = add_alert(svc, deployment, hold_reason="evidence")
    target = {"second": awaiting, "outcome": decided, "release": held}

    before = snapshot(svc)
    refused = 0
    for action, calls in CALLS.items():
        for role in Role:
            if role in PERMISSIONS[action]:
                continue
            actor = Actor(f"someone-{role.value}", role)
            for name, call in calls:
                with pytest.raises(PermissionDeniedError):
                    call(svc, actor, target.get(name, pending))
                refused += 1
    assert refused >= 20
    assert snapshot(svc) == before


def test_each_allowed_role_may_act(svc: Services, deployment: int) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    officers = [Actor(f"someone-{role.value}", role) for role in ASSIGNED_ONLY]
    assign_officers(svc, deployment, *officers)  # need to know: an officer acts once assigned
    for action, calls in CALLS.items():
        for role in PERMISSIONS[action]:
            for name, call in calls:
                alert_id = add_alert(svc, deployment)
                if name == "second":
                    adj.adjudicate(svc, OPERATOR_2, alert_id, "confirmed")
                if name == "outcome":
                    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")
                    adj.second_confirm(svc, OPERATOR_2, alert_id, agree=True)
                if name == "release":
                    holds.hold(svc, AUTHORISER, alert_id, "evidence")
                call(svc, Actor(f"someone-{role.value}", role), alert_id)


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def cli(services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Services:
    use_cli(settings, monkeypatch)
    add_users(services, ADMIN, AUTHORISER, OPERATOR, OPERATOR_2, FIELD, OVERSIGHT)
    return services


def test_cli_review_flow(cli: Services, capsys: pytest.CaptureFixture[str]) -> None:
    set_policy(cli, Policy(second_confirmer_required=True))
    deployment = add_deployment(cli)
    first = add_alert(cli, deployment, raised_at=cli.clock() - timedelta(minutes=2))
    second = add_alert(cli, deployment)
    user = ("--user", OPERATOR.username)

    code, out, _ = run_cli(capsys, "alert", "list", *user)
    assert code == 0 and out.splitlines()[-1] == "2 alert(s)"
    assert out.splitlines()[0].startswith(first) and "pending" in out

    code, out, _ = run_cli(capsys, "alert", "confirm", first, "--note", "same scar", *user)
    assert code == 0 and "awaiting second" in out
    code, _, err = run_cli(capsys, "alert", "second", first, "--agree", *user)
    assert code == 6 and err.count("\n") == 1 and "different operator" in err
    code, out, _ = run_cli(capsys, "alert", "second", first, "--agree", "--user", "otto")
    assert (code, out) == (0, f"alert {first}: confirmed\n")

    code, _, err = run_cli(capsys, "alert", "confirm", first, *user)
    assert code == 7 and "not pending" in err
    code, out, _ = run_cli(capsys, "alert", "reject", second, *user)
    assert (code, out) == (0, f"alert {second}: false alert\n")

    code, _, err = run_cli(capsys, "alert", "outcome", first, "arrested", *user)
    assert code == 6 and "may not alert.outcome" in err
    fred = ("--user", "fred")
    code, _, err = run_cli(capsys, "alert", "outcome", first, "arrested", *fred)
    assert code != 0 and "on the match alone" in err and "Detroit" in err
    check = ("--corroboration", "identity document")
    code, out, _ = run_cli(capsys, "alert", "outcome", first, "arrested", *check, *fred)
    assert (code, out) == (0, f"alert {first}: confirmed, outcome arrested\n")

    code, out, _ = run_cli(
        capsys, "alert", "list", "--status", "confirmed", "--json", "--user", "oscar"
    )
    (line,) = out.splitlines()
    record = json.loads(line)
    assert record["id"] == first and record["second_confirmer"] == OPERATOR_2.username
    assert "probe_crop_enc" not in record and record["has_media"] is True
    code, out, _ = run_cli(capsys, "alert", "list", "--deployment", "999", "--user", "oscar")
    assert (code, out) == (0, "0 alert(s)\n")
    code, _, err = run_cli(capsys, "alert", "list", "--deployment", "999", *user)
    assert code == 6 and "olive is not assigned to deployment 999" in err


def test_cli_hold_and_release(cli: Services, capsys: pytest.CaptureFixture[str]) -> None:
    alert_id = add_alert(cli, add_deployment(cli))
    user = ("--user", AUTHORISER.username)
    code, _, err = run_cli(capsys, "alert", "hold", alert_id, "--reason", " ", *user)
    assert code == 1 and "needs a reason" in err
    assert audit_entries(cli, "alert.hold") == []
    code, out, _ = run_cli(capsys, "alert", "hold", alert_id, "--reason", "case 9", *user)
    assert code == 0 and "on evidential hold (case 9)" in out
    code, _, _ = run_cli(capsys, "alert", "release", alert_id, "--user", OPERATOR.username)
    assert code == 6
    code, out, _ = run_cli(capsys, "alert", "release", alert_id, *user)
    assert code == 0 and "hold released" in out
    code, _, err = run_cli(capsys, "alert", "release", alert_id, *user)
    assert code == 7 and "not on hold" in err


def test_cli_export_media(
    cli: Services, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    alert_id = add_alert(cli, add_deployment(cli), seed=3)
    out_dir = tmp_path / "evidence"
    code, out, _ = run_cli(
        capsys, "alert", "export-media", alert_id, "--out", str(out_dir), "--user", "olive"
    )
    assert code == 0
    probe, enrolled = out_dir / f"{alert_id}_probe.jpg", out_dir / f"{alert_id}_enrolled.jpg"
    assert out.splitlines() == [str(probe), str(enrolled)]
    assert probe.read_bytes() == jpeg(3) and enrolled.read_bytes() == jpeg(1003)
    assert probe.stat().st_mode & 0o777 == 0o600
    (entry,) = audit_entries(cli, "alert.media.exported")
    assert entry.actor == OPERATOR.username and entry.details["to"] == str(out_dir.resolve())

    code, _, _ = run_cli(
        capsys, "alert", "export-media", alert_id, "--out", str(tmp_path / "x"), "--user", "wendy"
    )
    assert code == 6  # no such account (not in this test's users) -> authentication fails

    with cli.transaction() as session:
        session.execute(text("UPDATE alerts SET probe_crop_enc = NULL, enrolled_crop_enc = NULL"))
    code, _, err = run_cli(
        capsys, "alert", "export-media", alert_id, "--out", str(tmp_path / "y"), "--user", "olive"
    )
    assert code == 7 and "purged" in err and not (tmp_path / "y").exists()
