"""The EU AI Act's reports: a notice per use without operational detail (Art. 5(4)) and the
yearly report of requests, decisions, urgent starts and results (Art. 5(6))."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from lfr.access.services import Services
from lfr.errors import PermissionDeniedError
from lfr.governance.records.published import publish_record
from lfr.governance.records.regulator_reports import use_notice, yearly_report
from lfr.store.tables import AuthorityRequest, Deployment
from tests.gov.conftest import ADMIN, FIELD, OVERSIGHT
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    add_users,
    fixed_clock,
    run_cli,
    use_cli,
)


@pytest.fixture
def svc(services: Services) -> Services:
    return fixed_clock(services)


def _request(svc: Services, deployment: int, decision: str | None, urgent: bool) -> None:
    with svc.transaction() as session:
        session.add(
            AuthorityRequest(
                deployment_id=deployment,
                justification_harm="a missing child",
                justification_rights="a short window at one station",
                requested_by="arthur",
                requested_at=NOW - timedelta(hours=2),
                urgent_started_at=NOW - timedelta(hours=1) if urgent else None,
                decision=decision,
                reasons="reasons" if decision else None,
                document_ref="COURT-2025-17" if decision else None,
                decided_by="judge" if decision else None,
                decided_at=NOW if decision else None,
            )
        )


def _ended_with_record(svc: Services, alerts: int) -> int:
    deployment = add_deployment(svc, state="ended", ended_at=NOW)
    for seed in range(alerts):
        add_alert(svc, deployment, status="confirmed", seed=seed)
    with svc.transaction() as session:
        session.execute(
            update(Deployment)
            .where(Deployment.id == deployment)
            .values(started_at=NOW - timedelta(hours=1))
        )
        row = session.get(Deployment, deployment)
        assert row is not None
        publish_record(session, row, NOW)
    return deployment


def test_a_use_notice_holds_no_location_no_names_and_no_references(svc: Services) -> None:
    deployment = _ended_with_record(svc, alerts=1)
    _request(svc, deployment, "granted", urgent=True)
    notice = use_notice(svc, OVERSIGHT, deployment)
    assert notice["notice"] == "EU AI Act Art. 5(4)"
    assert notice["authorisation"] == {
        "independent": True,
        "decision": "granted",
        "decided_on": NOW.date().isoformat(),
        "urgent_start": True,
    }
    assert (notice["cameras"], notice["started_on"]) == (1, NOW.date().isoformat())
    text = json.dumps(notice)
    operational = ("High Street", "pedestrian", "51.5", "-0.1", "cam-1", "rtsp", "DPIA-1")
    people = ("olive", "arthur", "judge", "Person", "WL-0")
    references = ("COURT-2025-17", "Test deployment")
    assert not [word for word in (*operational, *people, *references) if word in text]
    with pytest.raises(PermissionDeniedError):
        use_notice(svc, FIELD, deployment)


def test_the_yearly_report_counts_requests_decisions_urgent_starts_and_results(
    svc: Services,
) -> None:
    granted = _ended_with_record(svc, alerts=2)
    refused = _ended_with_record(svc, alerts=0)
    pending = add_deployment(svc, state="draft")
    _request(svc, granted, "granted", urgent=False)
    _request(svc, refused, "refused", urgent=True)
    _request(svc, pending, None, urgent=False)

    report = yearly_report(svc, ADMIN, NOW.year)
    assert report["report"] == "EU AI Act Art. 5(6)"
    counts = {k: report[k] for k in ("requests", "granted", "refused", "pending", "urgent_starts")}
    assert counts == {"requests": 3, "granted": 1, "refused": 1, "pending": 1, "urgent_starts": 1}
    assert report["results"]["uses"] == 2 and report["results"]["alerts"] == 2
    assert yearly_report(svc, ADMIN, NOW.year + 1)["requests"] == 0


def test_report_commands_print_json(
    svc: Services,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_users(svc)
    deployment = _ended_with_record(svc, alerts=1)
    use_cli(settings, monkeypatch)  # type: ignore[arg-type]
    code, out, _ = run_cli(capsys, "report", "notice", str(deployment), "--user", "oscar")
    assert code == 0 and json.loads(out)["use"] == deployment
    code, out, _ = run_cli(capsys, "report", "yearly", str(NOW.year), "--user", "ada")
    assert code == 0 and json.loads(out)["results"]["uses"] == 1
