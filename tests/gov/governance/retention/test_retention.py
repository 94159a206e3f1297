"""Retention: the purge erases what the policy says has expired, keeps what is on hold, audits
every run with its counts, and runs on a schedule."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import time
from datetime import datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, text

from lfr.access.roles import PERMISSIONS, SYSTEM, Action, Actor, Role
from lfr.access.services import Services
from lfr.audit.log import AuditLog
from lfr.centre import purge_scheduler
from lfr.centre.purge_scheduler import PurgeScheduler
from lfr.cli.stopping import StopRequest
from lfr.config import Settings
from lfr.errors import PermissionDeniedError
from lfr.governance.law.policy import Policy, RetentionPolicy
from lfr.governance.retention.purge import purge
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key
from lfr.store.sealing import seal_image, seal_vector
from lfr.store.tables import (
    AlertRow,
    Deployment,
    EntryImage,
    SnapshotTemplate,
    WatchlistEntry,
)
from tests.gov.conftest import ADMIN, OPERATOR
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    add_users,
    add_watchlist,
    alert_row,
    audit_count,
    audit_entries,
    fixed_clock,
    run_cli,
    set_policy,
    use_cli,
)
from tests.waiting import wait_until

DAY = timedelta(days=1)


@pytest.fixture
def svc(services: Services) -> Services:
    return fixed_clock(services)


def _count(services: Services, table: type[object]) -> int:
    with services.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _add_snapshot(services: Services, deployment_id: int, templates: int = 2) -> None:
    with services.transaction() as session:
        for i in range(templates):
            name = f"WL-{i:04d}/1.jpg"
            owner = str(deployment_id)
            session.add(
                SnapshotTemplate(
                    deployment_id=deployment_id,
                    entry_id=i,
                    subject={"reference": f"WL-{i:04d}"},
                    image_name="1.jpg",
                    contract={"model": "fake"},
                    template_enc=seal_vector(
                        services.cipher, np.ones(4, np.float32), "snapshot", owner, name
                    ),
                    face_jpeg_enc=seal_image(services.cipher, b"jpeg", "snapshot", owner, name),
                )
            )


def test_alert_media_purged_after_31_days_unless_held(svc: Services) -> None:
    deployment = add_deployment(svc)
    old = add_alert(svc, deployment, raised_at=NOW - 31 * DAY - timedelta(seconds=1))
    old_held = add_alert(svc, deployment, raised_at=NOW - 40 * DAY, hold_reason="case 1")
    recent = add_alert(svc, deployment, raised_at=NOW - 30 * DAY)
    # alert_days longer than the media limit, so the rows themselves stay
    set_policy(svc, Policy(retention=RetentionPolicy(alert_media_days=31, alert_days=90)))

    report = purge(svc, ADMIN)

    assert report.alert_media_purged == 1 and report.alerts_deleted == 0
    assert report.held_alerts_kept == 1
    row = alert_row(svc, old)
    assert row.probe_crop_enc is None and row.enrolled_crop_enc is None
    assert row.media_purged_at == NOW
    for kept in (old_held, recent):
        row = alert_row(svc, kept)
        assert row.probe_crop_enc is not None and row.enrolled_crop_enc is not None
        assert row.media_purged_at is None

    # a second run finds nothing more to do
    assert purge(svc, ADMIN).alert_media_purged == 0


def test_alert_rows_deleted_after_alert_days_unless_held(svc: Services) -> None:
    set_policy(svc, Policy(retention=RetentionPolicy(alert_media_days=7, alert_days=60)))
    deployment = add_deployment(svc)
    expired = add_alert(svc, deployment, raised_at=NOW - 61 * DAY)
    held = add_alert(svc, deployment, raised_at=NOW - 100 * DAY, hold_reason="appeal pending")
    media_only = add_alert(svc, deployment, raised_at=NOW - 10 * DAY)
    fresh = add_alert(svc, deployment, raised_at=NOW - 1 * DAY)

    report = purge(svc, ADMIN)

    assert (report.alerts_deleted, report.alert_media_purged) == (1, 1)
    assert report.held_alerts_kept == 1
    with svc.transaction() as session:
        remaining = set(session.scalars(select(AlertRow.id)))
    assert remaining == {held, media_only, fresh}
    assert expired not in remaining
    assert alert_row(svc, held).probe_crop_enc is not None
    assert alert_row(svc, media_only).probe_crop_enc is None
    assert alert_row(svc, fresh).probe_crop_enc is not None


def test_released_hold_is_purged_on_the_next_run(svc: Services) -> None:
    deployment = add_deployment(svc)
    add_alert(svc, deployment, raised_at=NOW - 45 * DAY, hold_reason="evidence")
    assert purge(svc, ADMIN).alerts_deleted == 0
    with svc.transaction() as session:
        session.execute(text("UPDATE alerts SET hold_reason = NULL, hold_by = NULL"))
    assert purge(svc, ADMIN).alerts_deleted == 1
    assert _count(svc, AlertRow) == 0


def test_every_purge_is_audited_with_counts(svc: Services) -> None:
    report = purge(svc, ADMIN)
    assert report.removed == 0
    deployment = add_deployment(svc)
    add_alert(svc, deployment, raised_at=NOW - 32 * DAY)
    add_alert(svc, deployment, raised_at=NOW - 32 * DAY)
    purge(svc, SYSTEM)

    first, second = audit_entries(svc, "retention.purge")
    assert first.actor == ADMIN.username and second.actor == SYSTEM.username
    assert first.details["alert_media_purged"] == 0 and first.details["alerts_deleted"] == 0
    assert second.details["alerts_deleted"] == 2
    for key in (
        "alert_media_purged",
        "held_alerts_kept",
        "snapshot_templates_deleted",
        "entry_images_deleted",
    ):
        assert key in second.details
    assert second.details["rules"] == {
        "alert_media_days": 31,
        "alert_days": 31,
        "snapshot_hours_after_end": 24,
    }
    with svc.transaction() as session:
        assert svc.audit.verify(session).ok


def test_snapshots_of_ended_or_overdue_deployments_are_wiped(svc: Services) -> None:
    live = add_deployment(svc, state="live")
    ended = add_deployment(
        svc,
        state="ended",
        ends_at=NOW - timedelta(hours=1),
        ended_at=NOW - timedelta(hours=1),
    )
    overdue = add_deployment(
        svc,
        state="live",
        starts_at=NOW - timedelta(hours=30),
        ends_at=NOW - timedelta(hours=25),
    )
    for deployment_id in (live, ended, overdue):
        _add_snapshot(svc, deployment_id)

    report = purge(svc, ADMIN)

    assert report.snapshot_templates_deleted == 4
    assert report.snapshot_deployments == tuple(sorted((ended, overdue)))
    with svc.transaction() as session:
        left = list(session.scalars(select(SnapshotTemplate.deployment_id).distinct()))
        wiped = {d.id: d.snapshot_wiped_at for d in session.scalars(select(Deployment))}
    assert left == [live]
    assert wiped[live] is None and wiped[ended] == NOW and wiped[overdue] == NOW


def test_enrolment_images_of_removed_or_expired_entries(svc: Services) -> None:
    watchlist = add_watchlist(svc, entries=4, now=NOW - 20 * DAY, expires_in=30 * DAY)
    with svc.transaction() as session:
        entries = list(
            session.scalars(
                select(WatchlistEntry)
                .where(WatchlistEntry.watchlist_id == watchlist)
                .order_by(WatchlistEntry.reference)
            )
        )
        entries[0].removed_at = NOW - 25 * timedelta(hours=1)  # removed over a day ago: delete
        entries[1].removed_at = NOW - 2 * timedelta(hours=1)  # removed recently: not yet
        entries[2].expires_at = NOW - 3 * DAY  # expired days ago: delete
        removed_id, recent_id, expired_id, live_id = (e.id for e in entries)

    report = purge(svc, ADMIN)

    assert report.entry_images_deleted == 2
    with svc.transaction() as session:
        with_images = set(session.scalars(select(EntryImage.entry_id)))
        all_entries = set(session.scalars(select(WatchlistEntry.id)))
    assert with_images == {recent_id, live_id}
    assert {removed_id, expired_id} <= all_entries  # the entries' records stay


def test_purge_roles(svc: Services) -> None:
    deployment = add_deployment(svc)
    add_alert(svc, deployment, raised_at=NOW - 60 * DAY)
    before = (audit_count(svc), _count(svc, AlertRow))
    for role in Role:
        if role in PERMISSIONS[Action.RETENTION_PURGE]:
            continue
        with pytest.raises(PermissionDeniedError):
            purge(svc, Actor(f"someone-{role.value}", role))
    assert (audit_count(svc), _count(svc, AlertRow)) == before
    assert PERMISSIONS[Action.RETENTION_PURGE] == {Role.ADMIN, Role.SYSTEM}


def test_purge_is_one_transaction_with_its_audit_entry(svc: Services) -> None:
    """If the audit entry cannot be written, nothing is deleted either."""
    deployment = add_deployment(svc)
    alert_id = add_alert(svc, deployment, raised_at=NOW - 60 * DAY)
    _add_snapshot(svc, add_deployment(svc, state="ended", ended_at=NOW - 48 * timedelta(hours=1)))
    public_key = load_public_key(key_dir(svc.data_dir) / AUDIT_PUBLIC)
    verify_only = dataclasses.replace(svc, audit=AuditLog(None, public_key))  # cannot append
    with pytest.raises(PermissionError):
        purge(verify_only, ADMIN)
    assert alert_row(svc, alert_id).probe_crop_enc is not None
    assert _count(svc, SnapshotTemplate) == 2
    assert audit_entries(svc, "retention.purge") == []


def test_now_defaults_to_the_services_clock(svc: Services) -> None:
    later = fixed_clock(svc, NOW + 40 * DAY)
    deployment = add_deployment(svc)
    add_alert(svc, deployment, raised_at=NOW)
    assert purge(svc, ADMIN).alerts_deleted == 0
    report = purge(later, ADMIN)
    assert report.alerts_deleted == 1 and report.at == NOW + 40 * DAY
    assert purge(svc, ADMIN, now=NOW + 41 * DAY).at == NOW + 41 * DAY


def test_scheduler_runs_and_stops(svc: Services) -> None:
    deployment = add_deployment(svc)
    add_alert(svc, deployment, raised_at=NOW - 60 * DAY)
    scheduler = PurgeScheduler(svc, interval_s=0.05)
    scheduler.start()
    try:
        wait_until(lambda: scheduler.runs >= 2, what="two scheduled purges")
    finally:
        scheduler.stop()
    assert not scheduler.running
    runs = scheduler.runs
    report = scheduler.last_report
    assert report is not None and scheduler.failures == 0
    assert _count(svc, AlertRow) == 0
    entries = audit_entries(svc, "retention.purge")
    assert len(entries) == runs and {e.actor for e in entries} == {SYSTEM.username}
    time.sleep(0.2)
    assert scheduler.runs == runs  # stopped means stopped


def test_scheduler_logs_failures_and_keeps_going(
    svc: Services, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[datetime] = []

    def broken_clock() -> datetime:
        calls.append(NOW)
        raise RuntimeError("clock unavailable")

    broken = dataclasses.replace(svc, clock=broken_clock)
    with (
        caplog.at_level(logging.ERROR, logger=purge_scheduler.__name__),
        PurgeScheduler(broken, interval_s=0.02) as scheduler,
    ):
        wait_until(lambda: scheduler.failures >= 2, what="two failed purges")
        assert scheduler.running
    assert not scheduler.running and scheduler.runs == 0
    assert "scheduled retention purge failed" in caplog.text
    with pytest.raises(ValueError):
        PurgeScheduler(svc, interval_s=0)


# --- command line ---------------------------------------------------------------------------


@pytest.fixture
def cli(services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Services:
    use_cli(settings, monkeypatch)
    add_users(services, ADMIN, OPERATOR)
    return services


def test_cli_purge_on_demand(cli: Services, capsys: pytest.CaptureFixture[str]) -> None:
    deployment = add_deployment(cli)
    add_alert(cli, deployment, raised_at=cli.clock() - 40 * DAY)
    add_alert(cli, deployment, raised_at=cli.clock() - 40 * DAY, hold_reason="case 7")

    code, out, err = run_cli(capsys, "purge")
    assert (code, err) == (0, "")
    assert "1 alerts deleted" in out and "1 alert(s) kept on evidential hold" in out
    code, out, _ = run_cli(capsys, "purge", "--json", "--user", ADMIN.username)
    assert code == 0 and json.loads(out)["alerts_deleted"] == 0
    code, out, err = run_cli(capsys, "purge", "--user", OPERATOR.username)
    assert code == 6 and out == "" and "may not retention.purge" in err
    assert [e.actor for e in audit_entries(cli, "retention.purge")] == ["system", "ada"]


def test_cli_purge_every(
    cli: Services, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once per interval until SIGTERM (or Ctrl-C), which ends it cleanly with 143 (130)."""
    waits: list[float] = []

    def wait(self: StopRequest, seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # as systemd stops the service
        return self.event.wait(0)

    monkeypatch.setattr(
        StopRequest, "wait", wait
    )  # the pause between runs in lfr.cli.governed.alerts
    code, out, err = run_cli(capsys, "purge", "--every", "3600", "--json")
    assert code == 143 and waits == [3600.0, 3600.0]
    assert err == "lfr: purge stopped by SIGTERM\n"
    assert len(out.splitlines()) == 2
    assert len(audit_entries(cli, "retention.purge")) == 2

    with pytest.raises(SystemExit) as usage:
        run_cli(capsys, "purge", "--every", "0")
    assert usage.value.code == 2
