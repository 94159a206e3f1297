"""The audit log covers the alert table (``lfr.audit.alerts``): verification names each alert
row added, removed or altered in the database, and stays quiet about what the services did
(reviews, holds, purges)."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from sqlalchemy import text

from lfr.access.services import Services
from lfr.audit.log import VerifyReport
from lfr.audit.service import verify_chain
from lfr.config import Settings
from lfr.domain import Alert, Subject
from lfr.governance.alerts import adjudication
from lfr.governance.alerts.intake import store_alert
from lfr.governance.law.policy import Policy, RetentionPolicy
from lfr.governance.retention import holds
from lfr.governance.retention.purge import purge
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key
from tests.gov.conftest import ADMIN, AUTHORISER, OPERATOR, OVERSIGHT
from tests.gov.factories import (
    Clock,
    add_alert,
    add_users,
    live,
    run_cli,
    set_policy,
    use_cli,
    with_clock,
)


def _alert(seed: int) -> Alert:
    rng = np.random.default_rng(seed)
    return Alert(
        id=str(uuid.uuid4()),
        subject=Subject("WL-0001", "Person 1", "wanted by the courts", "warrant", "custody"),
        distance=0.3 + seed / 100,
        score=0.7 - seed / 100,
        threshold=0.5,
        camera="van-front",
        time_s=float(seed),
        frame=seed * 25,
        track=seed,
        probe_crop=rng.integers(0, 255, (40, 32, 3), dtype=np.uint8),
        enrolled_crop=rng.integers(0, 255, (40, 32, 3), dtype=np.uint8),
        enrolled_image="1.jpg",
    )


def _raised(services: Services, clock: Clock, n: int) -> tuple[int, list[str]]:
    """A live deployment with ``n`` alerts raised through intake, as the cameras raise them."""
    deployment_id = live(services, clock)
    alerts = [_alert(i) for i in range(n)]
    for alert in alerts:
        assert store_alert(services, deployment_id, alert)
    return deployment_id, [a.id for a in alerts]


def _verify(services: Services) -> VerifyReport:
    return verify_chain(services.db, load_public_key(key_dir(services.data_dir) / AUDIT_PUBLIC))


def test_verify_names_alert_rows_altered_added_or_removed_in_the_database(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id, (kept, altered, removed, reviewed) = _raised(svc, clock, 4)
    assert _verify(svc).ok
    with svc.transaction() as session:
        session.execute(text("UPDATE alerts SET distance = 0.9 WHERE id = :id"), {"id": altered})
        session.execute(text("DELETE FROM alerts WHERE id = :id"), {"id": removed})
        session.execute(
            text("UPDATE alerts SET status = 'false_alert' WHERE id = :id"), {"id": reviewed}
        )
    added = add_alert(svc, deployment_id)  # straight into the table, as an intruder would

    report = _verify(svc)
    assert not report.ok and report.first_bad_seq is None  # the chain itself is intact
    assert sorted(report.problems) == sorted(
        [
            f"alert {altered} was altered: its content differs from the digest it was raised with",
            f"alert {removed} was removed: raised in the audit log, deleted by no purge",
            f"alert {reviewed} was altered: status false_alert, the log says pending",
            f"alert {added} was added: the audit log never raised it",
        ]
    )
    assert kept not in report.problem


def test_the_command_line_names_the_rows(
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_cli(settings, monkeypatch)
    add_users(services, OVERSIGHT)
    svc, clock = with_clock(services)
    _, (alert_id,) = _raised(svc, clock, 1)
    assert run_cli(capsys, "audit", "verify")[0] == 0
    with svc.transaction() as session:
        session.execute(text("UPDATE alerts SET distance = 0.9 WHERE id = :id"), {"id": alert_id})
    code, out, err = run_cli(capsys, "audit", "verify")
    assert code == 9 and out == "" and err.count("\n") == 1
    assert f"alert {alert_id} was altered" in err
    code, out, _ = run_cli(capsys, "alert", "list", "--user", OVERSIGHT.username)
    assert code == 0 and "(distance 0.900 > 0.500: NOT A MATCH)" in out


def test_reviews_holds_and_purges_leave_the_table_and_the_log_in_agreement(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    add_users(svc, ADMIN, OPERATOR, AUTHORISER)
    set_policy(svc, Policy(retention=RetentionPolicy(alert_media_days=1, alert_days=60)))
    _, (confirmed, held, _plain) = _raised(svc, clock, 3)
    adjudication.adjudicate(svc, OPERATOR, confirmed, "confirmed", "it is them")
    holds.hold(svc, AUTHORISER, held, "case 17")
    assert _verify(svc).ok

    clock.advance(days=2)
    erased = purge(svc, ADMIN)
    assert erased.alert_media_purged == 2 and erased.alerts_deleted == 0
    assert _verify(svc).ok, _verify(svc).problem  # crops gone, but by a purge

    clock.advance(days=60)
    deleted = purge(svc, ADMIN)
    assert deleted.alerts_deleted == 2 and deleted.held_alerts_kept == 1
    report = _verify(svc)
    assert report.ok, report.problem  # rows gone, but by a purge; the held one stays
    with svc.transaction() as session:
        session.execute(text("UPDATE alerts SET hold_reason = NULL WHERE id = :id"), {"id": held})
    assert _verify(svc).problems == (
        f"alert {held} was altered: its evidential hold differs from the log",
    )
