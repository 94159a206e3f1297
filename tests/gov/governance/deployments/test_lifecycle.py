"""Deployments: the state machine, the go-live conditions, the frozen snapshot, emergency starts
and the automatic end of the window. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import delete, select, update

from lfr.access.roles import PERMISSIONS, SYSTEM, Action, Actor, Role
from lfr.access.services import Services
from lfr.cli import main
from lfr.config import Settings
from lfr.errors import (
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    StateError,
)
from lfr.governance.authority.actions import ScheduleAction
from lfr.governance.authority.schedule import WINDOW_ENDED, enforce_schedule
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.deployments.snapshot import load_snapshot
from lfr.governance.law.policy import DEFAULT_PURPOSES, Policy
from lfr.governance.records.published import get_record
from lfr.match.watchlist import Watchlist
from lfr.store.sealing import open_vector
from lfr.store.tables import (
    AlertRow,
    Deployment,
    EntryImage,
    PolicyVersion,
    SnapshotTemplate,
    WatchlistEntry,
)
from tests.gov.conftest import AUTHORISER, AUTHORISER_2, OPERATOR, OPERATOR_2
from tests.gov.factories import (
    CAMERA_URL,
    CONTRACT,
    ENDS,
    PASSWORD,
    STARTS,
    Clock,
    add_alert,
    add_users,
    add_watchlist,
    assert_chain_ok,
    audit_count,
    audit_entries,
    count,
    deployment_row,
    live,
    make_plan,
    ready,
    with_clock,
)


def set_policy(services: Services, **changes: Any) -> Policy:
    policy = Policy(**changes)
    with services.transaction() as session:
        session.add(
            PolicyVersion(
                body=policy.model_dump(mode="json"),
                digest=policy.digest(),
                created_at=services.clock(),
                created_by="test",
            )
        )
    return policy


# --- planning ---------------------------------------------------------------------------------


def test_plan_records_a_draft_and_audits_without_credentials(services: Services) -> None:
    svc, _ = with_clock(services)
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(add_watchlist(svc)))
    view = dep.get_deployment(svc, OPERATOR, deployment_id)
    assert view.state == "draft" and view.planner == OPERATOR.username
    assert view.cameras == {"van-front": "rtsp://***@10.0.0.5:554/stream"}
    assert "s3cret" not in str(view.as_dict())
    (entry,) = audit_entries(svc, "deployment.plan")
    assert entry.actor == OPERATOR.username and entry.target == f"deployment:{deployment_id}"
    assert "s3cret" not in str(entry.details)
    assert [v.id for v in dep.list_deployments(svc, OPERATOR, state="draft")] == [deployment_id]
    assert_chain_ok(svc)


def test_plan_outside_policy_names_every_problem_and_writes_nothing(services: Services) -> None:
    svc, _ = with_clock(services)
    watchlist_id = add_watchlist(svc)
    before = audit_count(svc)
    plan = make_plan(
        watchlist_id,
        purpose="general crowd scanning",
        threshold=0.6,
        ends_at=STARTS + timedelta(hours=13),
    )
    with pytest.raises(PolicyViolationError) as refused:
        dep.plan_deployment(svc, OPERATOR, plan)
    message = str(refused.value)
    assert "purpose 'general crowd scanning' is not permitted" in message
    assert all(purpose in message for purpose in DEFAULT_PURPOSES)
    assert "threshold 0.6 is looser than the policy's limit 0.5" in message
    assert "longer than the policy's limit of 12 h" in message
    assert count(svc, Deployment) == 0 and audit_count(svc) == before


def test_plan_needs_an_existing_watchlist(services: Services) -> None:
    svc, _ = with_clock(services)
    with pytest.raises(NotFoundError, match="no watchlist with id 99"):
        dep.plan_deployment(svc, OPERATOR, make_plan(99))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"latitude": 91.0}, "latitude"),
        ({"longitude": -181.0}, "longitude"),
        ({"ends_at": STARTS}, "must end after it starts"),
        ({"starts_at": datetime(2025, 6, 2, 9, 0)}, "timezone"),
        ({"cameras": {}}, "cameras"),
        ({"cameras": {"cam": " "}}, "has no source"),
        ({"threshold": 0.0}, "threshold"),
        ({"dpia_reference": "  "}, "dpia_reference"),
        ({"name": ""}, "name"),
    ],
)
def test_plan_shape_is_validated(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        make_plan(1, **changes)


# --- roles ------------------------------------------------------------------------------------

ALL_ROLES = [Actor(f"someone-{role.value}", role) for role in Role]


def _attempts(deployment_id: int, watchlist_id: int) -> dict[Action, Callable[..., object]]:
    return {
        Action.DEPLOYMENT_PLAN: lambda s, a: dep.plan_deployment(s, a, make_plan(watchlist_id)),
        Action.DEPLOYMENT_AUTHORISE: lambda s, a: dep.authorise(s, a, deployment_id),
        Action.DEPLOYMENT_SIGNAGE: lambda s, a: dep.confirm_signage(s, a, deployment_id, "R"),
        Action.DEPLOYMENT_START: lambda s, a: dep.start(s, a, deployment_id),
        Action.DEPLOYMENT_END: lambda s, a: dep.end(s, a, deployment_id),
        Action.DEPLOYMENT_RUN: lambda s, a: load_snapshot(s, a, deployment_id),
        Action.DEPLOYMENT_READ: lambda s, a: dep.get_deployment(s, a, deployment_id),
        Action.RECORD_READ: lambda s, a: get_record(s, a, deployment_id),
    }


def test_each_role_is_refused_what_it_may_not_do_and_nothing_is_written(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    watchlist_id = deployment_row(svc, deployment_id).watchlist_id
    before = audit_count(svc)
    refused = 0
    for action, attempt in _attempts(deployment_id, watchlist_id).items():
        for actor in ALL_ROLES:
            if actor.role in PERMISSIONS[action]:
                continue
            with pytest.raises(PermissionDeniedError, match=action.value):
                attempt(svc, actor)
            refused += 1
    with pytest.raises(PermissionDeniedError):
        dep.cancel(svc, Actor("w", Role.WATCHLIST_MANAGER), deployment_id)
    with pytest.raises(PermissionDeniedError):
        dep.list_deployments(svc, SYSTEM)
    assert refused > 30
    assert audit_count(svc) == before and count(svc, Deployment) == 1
    assert deployment_row(svc, deployment_id).state == "authorised"


# --- authorisation and signage ----------------------------------------------------------------


def test_the_planner_cannot_authorise_their_own_deployment(services: Services) -> None:
    svc, _ = with_clock(services)
    deployment_id = dep.plan_deployment(svc, AUTHORISER, make_plan(add_watchlist(svc)))
    before = audit_count(svc)
    with pytest.raises(PermissionDeniedError, match="someone other than its planner"):
        dep.authorise(svc, AUTHORISER, deployment_id)
    assert audit_count(svc) == before
    assert deployment_row(svc, deployment_id).authorised_by is None
    dep.authorise(svc, AUTHORISER_2, deployment_id, "approved on the intelligence case")
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.authorised_by) == ("authorised", AUTHORISER_2.username)
    assert row.authorisation_note == "approved on the intelligence case"
    with pytest.raises(StateError, match="already authorised"):
        dep.authorise(svc, Actor("carol", Role.AUTHORISING_OFFICER), deployment_id)


def test_authorisation_rechecks_the_policy(services: Services) -> None:
    svc, _ = with_clock(services)
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(add_watchlist(svc)))
    set_policy(svc, max_threshold=0.45)
    with pytest.raises(PolicyViolationError, match=r"threshold 0\.5 is looser than"):
        dep.authorise(svc, AUTHORISER, deployment_id)


def test_signage_records_who_when_and_reference(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(add_watchlist(svc)))
    with pytest.raises(PolicyViolationError, match="needs a reference"):
        dep.confirm_signage(svc, OPERATOR_2, deployment_id, "  ")
    dep.confirm_signage(svc, OPERATOR_2, deployment_id, "photos 14-17 in the van log")
    row = deployment_row(svc, deployment_id)
    assert row.signage_confirmed_by == OPERATOR_2.username
    assert row.signage_confirmed_at == clock.now
    assert row.signage_reference == "photos 14-17 in the van log"


# --- going live -------------------------------------------------------------------------------


def test_go_live_refusal_names_every_missing_condition_at_once(services: Services) -> None:
    svc, _ = with_clock(services)
    watchlist_id = add_watchlist(svc, entries=3)
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(watchlist_id))
    set_policy(svc, max_threshold=0.4, max_watchlist_size=2, categories=["wanted by the courts"])
    before = audit_count(svc)
    with pytest.raises(StateError) as refused:
        dep.start(svc, OPERATOR, deployment_id)  # before the window, unauthorised, unsigned
    message = str(refused.value)
    for condition in (
        "not authorised by an authorising officer",
        "signage not confirmed",
        "threshold 0.5 is looser than the policy's limit 0.4",
        "its window has not started",
        "has 3 active entries, over the policy's limit of 2",
        "entries have a category the policy does not allow",
    ):
        assert condition in message, condition
    assert dep.readiness(svc, OPERATOR, deployment_id) == message.split(": ", 1)[1].split("; ")
    row = deployment_row(svc, deployment_id)
    assert row.state == "draft" and row.started_at is None
    assert count(svc, SnapshotTemplate) == 0 and audit_count(svc) == before


def test_go_live_refuses_an_empty_watchlist(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock, watchlist_id=add_watchlist(svc, entries=0))
    with pytest.raises(StateError, match=r"watchlist 'wl' is empty"):
        dep.start(svc, OPERATOR, deployment_id)


def test_expired_and_removed_entries_do_not_count(services: Services) -> None:
    svc, clock = with_clock(services)
    watchlist_id = add_watchlist(svc, entries=2, expires_in=timedelta(minutes=30))
    deployment_id = ready(svc, clock, watchlist_id=watchlist_id)  # clock now past the expiry
    with pytest.raises(StateError, match="is empty"):
        dep.start(svc, OPERATOR, deployment_id)


def test_go_live_refuses_entries_without_reason_or_image_source(services: Services) -> None:
    svc, clock = with_clock(services)
    watchlist_id = add_watchlist(svc, entries=3)
    with svc.transaction() as session:
        session.execute(
            update(WatchlistEntry).where(WatchlistEntry.reference == "WL-0001").values(reason=" ")
        )
        session.execute(
            update(WatchlistEntry)
            .where(WatchlistEntry.reference == "WL-0002")
            .values(image_source="")
        )
    deployment_id = ready(svc, clock, watchlist_id=watchlist_id)
    with pytest.raises(StateError) as refused:
        dep.start(svc, OPERATOR, deployment_id)
    assert "1 entry has no reason recorded (WL-0001)" in str(refused.value)
    assert "1 entry has no image source recorded (WL-0002)" in str(refused.value)


def test_go_live_refuses_faceless_entries_and_mixed_models(services: Services) -> None:
    svc, clock = with_clock(services)
    watchlist_id = add_watchlist(svc, entries=3)
    with svc.transaction() as session:
        first, second, _ = session.scalars(select(WatchlistEntry).order_by(WatchlistEntry.id))
        session.execute(delete(EntryImage).where(EntryImage.entry_id == first.id))
        other_model = {**asdict(CONTRACT), "model_id": "another-model"}
        session.execute(
            update(EntryImage).where(EntryImage.entry_id == second.id).values(contract=other_model)
        )
    deployment_id = ready(svc, clock, watchlist_id=watchlist_id)
    with pytest.raises(StateError) as refused:
        dep.start(svc, OPERATOR, deployment_id)
    assert "1 entry has no enrolled face (WL-0000)" in str(refused.value)
    assert "mixes templates made by different embedding models" in str(refused.value)


def test_go_live_refuses_after_the_window(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    clock.now = ENDS
    with pytest.raises(StateError, match="its window has ended"):
        dep.start(svc, OPERATOR, deployment_id)


def test_start_freezes_an_audited_snapshot_that_the_cameras_load(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    digest = dep.start(svc, OPERATOR_2, deployment_id)

    (entry,) = audit_entries(svc, "deployment.start")
    assert entry.actor == OPERATOR_2.username
    assert entry.details["snapshot_digest"] == digest
    assert entry.details["snapshot_size"] == 3
    assert entry.details["threshold"] == 0.5 and entry.details["emergency"] is False
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.snapshot_digest, row.snapshot_size) == ("live", digest, 3)
    assert row.started_at == clock.now

    # The snapshot is re-sealed for this deployment: the entry's key binding no longer opens it.
    with svc.transaction() as session:
        snaps = list(session.scalars(select(SnapshotTemplate).order_by(SnapshotTemplate.id)))
    assert [s.subject["reference"] for s in snaps] == ["WL-0000", "WL-0001", "WL-0002"]
    with pytest.raises(IntegrityError):
        open_vector(svc.cipher, snaps[0].template_enc, "entry", "1/WL-0000", "1.jpg")

    # Later changes to the watchlist do not reach the frozen snapshot.
    with svc.transaction() as session:
        session.execute(update(WatchlistEntry).values(removed_at=clock.now))
    watchlist = load_snapshot(svc, OPERATOR, deployment_id)
    assert watchlist.digest() == digest and watchlist.size == 3
    expected = Watchlist.from_templates(CONTRACT, [watchlist.template(i) for i in range(3)])
    assert expected.digest() == digest
    first = watchlist.template(0)
    assert np.array_equal(first.embedding, np.eye(4, dtype=np.float32)[0])
    assert first.subject.reference == "WL-0000" and first.subject.display_name == "Person 0"
    assert first.subject.reason == "wanted on warrant"
    assert first.subject.image_source == "custody record"
    assert first.image_name == "1.jpg" and first.face_jpeg[:2] == b"\xff\xd8"
    match = watchlist.nearest(np.eye(4, dtype=np.float32)[1:2])[0]
    assert match.subject.reference == "WL-0001" and match.distance == pytest.approx(0.0)
    assert [e.details["snapshot_digest"] for e in audit_entries(svc, "deployment.snapshot.load")]
    with pytest.raises(StateError, match="is live"):
        dep.start(svc, OPERATOR, deployment_id)
    assert_chain_ok(svc)


def test_a_tampered_snapshot_is_refused(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    with svc.transaction() as session:
        session.execute(
            update(Deployment).where(Deployment.id == deployment_id).values(snapshot_digest="0")
        )
    with pytest.raises(IntegrityError, match="does not match the digest"):
        load_snapshot(svc, OPERATOR, deployment_id)


def test_end_wipes_the_snapshot_and_publishes_the_record(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    assert count(svc, SnapshotTemplate, deployment_id=deployment_id) == 3
    clock.advance(hours=2)
    record = dep.end(svc, AUTHORISER, deployment_id, "operation complete")
    assert count(svc, SnapshotTemplate) == 0
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.end_reason) == ("ended", "operation complete")
    assert row.ended_at == row.snapshot_wiped_at == clock.now
    (wiped,) = audit_entries(svc, "deployment.snapshot.wiped")
    assert wiped.details["rows_deleted"] == 3
    assert audit_entries(svc, "deployment.end")[0].details["reason"] == "operation complete"
    assert record.duration_minutes == 120 and record.watchlist_size == 3
    assert get_record(svc, OPERATOR, deployment_id).deployment_id == deployment_id
    with pytest.raises(StateError, match="only a live deployment can be ended"):
        dep.end(svc, AUTHORISER, deployment_id)
    with pytest.raises(StateError, match="only while it is live"):
        load_snapshot(svc, OPERATOR, deployment_id)
    assert_chain_ok(svc)


def test_cancel_a_draft_and_it_can_never_go_live(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    with pytest.raises(StateError, match="cancel it instead"):
        dep.end(svc, OPERATOR, deployment_id)
    dep.cancel(svc, OPERATOR, deployment_id, "intelligence changed")
    assert deployment_row(svc, deployment_id).state == "cancelled"
    with pytest.raises(StateError, match="it is cancelled"):
        dep.start(svc, OPERATOR, deployment_id)
    with pytest.raises(StateError):
        dep.cancel(svc, OPERATOR, deployment_id)
    with pytest.raises(StateError):
        dep.confirm_signage(svc, OPERATOR, deployment_id, "again")


# --- the schedule -----------------------------------------------------------------------------


def test_schedule_ends_a_deployment_at_the_end_of_its_window(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    other = live(svc, clock, ends_at=ENDS + timedelta(hours=2))
    assert enforce_schedule(svc) == []
    clock.now = ENDS
    assert enforce_schedule(svc) == [ScheduleAction(deployment_id, WINDOW_ENDED)]
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.end_reason, row.ended_at) == ("ended", "window ended", ENDS)
    assert deployment_row(svc, other).state == "live"
    assert count(svc, SnapshotTemplate, deployment_id=deployment_id) == 0
    assert count(svc, SnapshotTemplate, deployment_id=other) == 3
    ends = audit_entries(svc, "deployment.end")
    assert [(e.actor, e.target) for e in ends] == [("system", f"deployment:{deployment_id}")]
    assert get_record(svc, SYSTEM, deployment_id).duration_minutes == 475
    assert_chain_ok(svc)


# --- emergency starts -------------------------------------------------------------------------


def _emergency_ready(svc: Services, clock: Clock) -> int:
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(add_watchlist(svc)))
    dep.confirm_signage(svc, OPERATOR, deployment_id, "SIGN-1")
    clock.now = STARTS
    return deployment_id


def test_emergency_start_is_refused_unless_the_policy_allows_it(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = _emergency_ready(svc, clock)
    with pytest.raises(StateError) as refused:
        dep.start(svc, OPERATOR, deployment_id, emergency=True)
    assert "the policy does not allow an emergency start" in str(refused.value)
    set_policy(svc, emergency_start_allowed=True)
    with pytest.raises(StateError, match="not authorised by an authorising officer"):
        dep.start(svc, OPERATOR, deployment_id)  # an ordinary start still needs authorisation
    digest = dep.start(svc, OPERATOR, deployment_id, emergency=True)
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.emergency, row.authorised_by) == ("live", True, None)
    (entry,) = audit_entries(svc, "deployment.start")
    assert entry.details["emergency"] is True and entry.details["snapshot_digest"] == digest
    view = dep.get_deployment(svc, OPERATOR, deployment_id)
    assert view.emergency_authorise_by == STARTS + timedelta(hours=24)


def test_emergency_start_still_needs_the_other_conditions(services: Services) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, emergency_start_allowed=True)
    deployment_id = dep.plan_deployment(svc, OPERATOR, make_plan(add_watchlist(svc)))
    clock.now = STARTS
    with pytest.raises(StateError) as refused:
        dep.start(svc, OPERATOR, deployment_id, emergency=True)
    assert "signage not confirmed" in str(refused.value)
    assert "authorised" not in str(refused.value)


def test_emergency_authorised_in_time_keeps_its_alerts(services: Services) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, emergency_start_allowed=True)
    deployment_id = _emergency_ready(svc, clock)
    dep.start(svc, OPERATOR, deployment_id, emergency=True)
    add_alert(svc, deployment_id)
    clock.advance(hours=3)
    with pytest.raises(PermissionDeniedError):
        dep.authorise(svc, OPERATOR, deployment_id)
    dep.authorise(svc, AUTHORISER, deployment_id, "retrospective: urgent risk to life")
    row = deployment_row(svc, deployment_id)
    assert (row.state, row.authorised_by) == ("live", AUTHORISER.username)
    assert audit_entries(svc, "deployment.authorise")[0].details["emergency_start"] is True
    clock.now = STARTS + timedelta(hours=30)
    assert enforce_schedule(svc) == [ScheduleAction(deployment_id, WINDOW_ENDED)]
    assert count(svc, AlertRow) == 1


def test_emergency_not_authorised_in_time_loses_every_alert_and_count(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, emergency_start_allowed=True)
    deployment_id = _emergency_ready(svc, clock)
    other = live(svc, clock)
    add_alert(svc, other)
    clock.now = STARTS
    dep.start(svc, OPERATOR, deployment_id, emergency=True)
    add_alert(svc, deployment_id)
    add_alert(svc, deployment_id)
    with svc.transaction() as session:
        session.execute(
            update(Deployment)
            .where(Deployment.id == deployment_id)
            .values(frames=900, face_detections=300, tracks=40)
        )

    clock.now = ENDS  # the window ends first: an ordinary end, alerts still kept for now
    assert enforce_schedule(svc) == [
        ScheduleAction(deployment_id, WINDOW_ENDED),
        ScheduleAction(other, WINDOW_ENDED),
    ]
    assert count(svc, AlertRow, deployment_id=deployment_id) == 2

    clock.now = STARTS + timedelta(hours=24)
    assert enforce_schedule(svc) == []  # still inside the 24 h
    clock.advance(minutes=1)
    (refused,) = enforce_schedule(svc)
    assert refused == ScheduleAction(
        deployment_id, "emergency start not authorised within 24 h", "2 alert(s) deleted"
    )
    assert str(refused) == (
        f"deployment {deployment_id} ended: emergency start not authorised within 24 h;"
        " 2 alert(s) deleted"
    )
    assert count(svc, AlertRow, deployment_id=deployment_id) == 0
    assert count(svc, AlertRow, deployment_id=other) == 1
    row = deployment_row(svc, deployment_id)
    assert (row.frames, row.face_detections, row.tracks) == (0, 0, 0)
    (refusal,) = audit_entries(svc, "deployment.emergency.refused")
    assert refusal.actor == "system" and refusal.details["alerts_deleted"] == 2
    assert refusal.details["counts_deleted"] == {
        "frames": 900,
        "face_detections": 300,
        "tracks": 40,
    }
    record = get_record(svc, AUTHORISER, deployment_id)
    assert record.alerts == 0 and record.faces_seen == 0
    assert record.emergency_authorisation_refused is True
    with pytest.raises(StateError, match="the time to authorise it ended"):
        dep.authorise(svc, AUTHORISER, deployment_id)
    assert enforce_schedule(svc) == []  # done once
    assert_chain_ok(svc)


def test_a_live_emergency_start_past_its_deadline_is_stopped(services: Services) -> None:
    svc, clock = with_clock(services)
    set_policy(svc, emergency_start_allowed=True, emergency_authorisation_hours=1)
    deployment_id = _emergency_ready(svc, clock)
    dep.start(svc, OPERATOR, deployment_id, emergency=True)
    add_alert(svc, deployment_id)
    clock.advance(hours=1, minutes=1)
    lines = [str(action) for action in enforce_schedule(svc)]
    assert lines == [
        f"deployment {deployment_id} ended: emergency start not authorised within 1 h;"
        " 1 alert(s) deleted"
    ]
    row = deployment_row(svc, deployment_id)
    assert row.state == "ended" and row.snapshot_wiped_at is not None
    assert count(svc, AlertRow) == 0 and count(svc, SnapshotTemplate) == 0
    assert_chain_ok(svc)


# --- the command line -------------------------------------------------------------------------


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lfr: error: "), err
    return lines[0]


def test_the_deployment_commands(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LFR_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LFR_DATABASE_URL", settings.database_url or "")
    monkeypatch.setenv("LFR_PASSWORD", PASSWORD)
    monkeypatch.delenv("LFR_USER", raising=False)
    add_users(services)
    add_watchlist(services, name="croydon")
    now = datetime.now(UTC).replace(microsecond=0)

    def lfr(user: str, *argv: str) -> tuple[int, str, str]:
        try:
            code = main([*argv[:2], "--user", user, *argv[2:]])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    create = [
        "deployment",
        "create",
        "--name",
        "Op Lantern",
        "--purpose",
        DEFAULT_PURPOSES[1],
        "--location",
        "Wembley Way",
        "--lat",
        "51.556",
        "--lon",
        "-0.2796",
        "--area",
        "Olympic Way from the station to the stadium",
        "--starts",
        (now - timedelta(minutes=5)).isoformat(),
        "--ends",
        (now + timedelta(hours=4)).isoformat(),
        "--camera",
        f"north={CAMERA_URL}",
        "--camera",
        "south=demo",
        "--watchlist",
        "croydon",
        "--dpia",
        "DPIA-7",
        "--threshold",
    ]
    code, _, err = lfr("olive", *create, "0.6")
    assert code == 7 and "threshold 0.6 is looser than the policy's limit 0.5" in err
    _one_error_line(err)
    code, _, err = lfr("olive", *[a.replace("+00:00", "") for a in create], "0.5")
    assert code == 2 and "has no time zone" in _one_error_line(err)
    code, out, _ = lfr("olive", *create, "0.5")
    assert code == 0 and "deployment 1 planned" in out

    code, _, err = lfr("olive", "deployment", "start", "1")
    line = _one_error_line(err)
    assert code == 7 and "not authorised by an authorising officer" in line
    assert "signage not confirmed" in line
    code, _, err = lfr("olive", "deployment", "authorise", "1")
    assert code == 6 and "may not deployment.authorise" in _one_error_line(err)
    assert lfr("arthur", "deployment", "authorise", "1", "--note", "event day")[0] == 0
    assert lfr("olive", "deployment", "signage", "1", "--reference", "SIGN-3")[0] == 0
    code, out, _ = lfr("olive", "deployment", "show", "1")
    assert code == 0 and "ready to go live" in out and "s3cret" not in out
    code, out, _ = lfr("olive", "deployment", "start", "1")
    assert code == 0 and "deployment 1 is live: snapshot of 3 template(s)" in out

    code, out, _ = lfr("oscar", "deployment", "show", "1", "--json")
    shown = json.loads(out)
    assert (
        shown["state"] == "live" and shown["cameras"]["north"] == "rtsp://***@10.0.0.5:554/stream"
    )
    code, out, _ = lfr("oscar", "deployment", "list", "--json")
    assert [d["id"] for d in json.loads(out)] == [1]

    code, out, _ = lfr("olive", "deployment", "end", "1", "--reason", "match over")
    assert code == 0 and "snapshot wiped; record published" in out
    code, out, _ = lfr("oscar", "deployment", "record", "1", "--json")
    record = json.loads(out)
    assert record["purpose"] == DEFAULT_PURPOSES[1] and record["alerts"] == 0
    code, out, _ = lfr("oscar", "deployment", "record", "1")
    assert "false-alert rate: n/a of faces seen, n/a of alerts" in out

    assert main(["deployment", "enforce"]) == 0
    assert capsys.readouterr().out.strip() == "schedule: nothing to do"
    monkeypatch.setenv("LFR_PASSWORD", "wrong")
    code, _, err = lfr("olive", "deployment", "list")
    assert code == 6
    _one_error_line(err)
    assert_chain_ok(services)
