"""The published deployment record: counts and both false-alert rates, nobody identifiable."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.errors import NotFoundError
from lfr.governance.alerts.adjudication import adjudicate
from lfr.governance.alerts.intake import add_counts
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.records.published import (
    get_record,
    public_records,
    public_schedule,
    publish_record,
)
from lfr.store.tables import AlertRow, Deployment, DeploymentRecord, RecordRevision
from tests.gov.conftest import AUTHORISER, OPERATOR, OVERSIGHT
from tests.gov.factories import (
    STARTS,
    assert_chain_ok,
    audit_actions,
    count,
    live,
    ready,
    with_clock,
)

# (status, outcome) of each alert of the deployment
ALERTS = [
    ("confirmed", "arrested"),
    ("confirmed", "arrested"),
    ("confirmed", "engaged"),
    ("confirmed", "no_action"),
    ("false_alert", None),
    ("pending", None),
    ("awaiting_second", None),
]


def _add_alerts(services: Services, deployment_id: int) -> None:
    with services.transaction() as session:
        for i, (status, outcome) in enumerate(ALERTS):
            session.add(
                AlertRow(
                    id=f"alert-{deployment_id}-{i}",
                    deployment_id=deployment_id,
                    camera="van-front",
                    entry_id=None,
                    subject_reference=f"WL-{i:04d}",
                    subject_name=f"Person {i}",
                    category="wanted by the courts",
                    reason="warrant",
                    distance=0.31,
                    score=0.69,
                    threshold=0.5,
                    time_s=float(i),
                    frame=i,
                    track=i,
                    raised_at=services.clock(),
                    enrolled_image="1.jpg",
                    probe_crop_enc=b"sealed probe",
                    enrolled_crop_enc=b"sealed enrolled",
                    status=status,
                    outcome=outcome,
                )
            )


def test_record_counts_and_both_false_alert_rates(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _add_alerts(svc, deployment_id)
    assert add_counts(svc, deployment_id, frames=90_000, face_detections=12_000, tracks=2_000)
    clock.advance(hours=3, minutes=30)
    record = dep.end(svc, OPERATOR, deployment_id, "planned end").as_dict()

    stored = get_record(svc, OVERSIGHT, deployment_id).as_dict()
    assert stored["published_at"] == clock.now.isoformat(timespec="seconds")
    assert {k: v for k, v in stored.items() if k != "published_at"} == record
    assert record["date"] == STARTS.date().isoformat()
    assert record["location"] == {
        "name": "High Street, Croydon",
        "area": "North end of the High Street and the station approach",
        "latitude": 51.3727,
        "longitude": -0.0982,
    }
    assert record["purpose"] == "crime hotspot and its access routes"
    assert record["duration_minutes"] == 210
    assert record["watchlist_size"] == 3
    assert record["faces_seen"] == 2_000  # distinct faces (tracks)
    assert record["face_detections"] == 12_000
    assert record["alerts"] == 7
    assert record["true_alerts"] == 4
    assert record["false_alerts"] == 1
    assert record["unreviewed"] == 2
    assert record["engagements"] == 3
    assert record["arrests"] == 2
    assert record["false_alert_rate_per_face_seen"] == pytest.approx(1 / 2_000)
    assert record["false_alert_rate_per_alert"] == pytest.approx(1 / 7)
    assert record["emergency_start"] is False

    # Nothing in it identifies anyone, and the camera sources are not in it.
    text = json.dumps(record)
    for forbidden in ("WL-0", "Person", "warrant", "1.jpg", "rtsp", "s3cret", "van-front"):
        assert forbidden not in text, forbidden
    assert_chain_ok(svc)


def test_rates_are_none_without_a_denominator(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    record = dep.end(svc, OPERATOR, deployment_id).as_dict()
    assert (record["alerts"], record["faces_seen"]) == (0, 0)
    assert record["false_alert_rate_per_face_seen"] is None
    assert record["false_alert_rate_per_alert"] is None


def test_counts_after_the_end_are_a_revision_of_the_record(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _add_alerts(svc, deployment_id)
    dep.end(svc, OPERATOR, deployment_id)
    ended = clock.now
    with svc.transaction() as session:  # as a purge would, before the counts arrive
        session.execute(delete(AlertRow))
    clock.advance(seconds=2)
    assert add_counts(svc, deployment_id, frames=50, face_detections=20, tracks=4)
    record = get_record(svc, AUTHORISER, deployment_id).as_dict()
    assert (record["frames"], record["face_detections"], record["faces_seen"]) == (50, 20, 4)
    assert (record["alerts"], record["false_alerts"]) == (7, 1)  # the alert figures stand
    assert record["false_alert_rate_per_face_seen"] == pytest.approx(1 / 4)
    with svc.transaction() as session:
        rows = list(session.scalars(select(DeploymentRecord)))
    assert len(rows) == 1 and rows[0].published_at == ended  # first publication stands
    assert record["revisions"] == [
        {
            "revised_at": clock.now.isoformat(timespec="seconds"),
            "changes": {
                "frames": [0, 50],
                "face_detections": [0, 20],
                "faces_seen": [0, 4],
                "false_alert_rate_per_face_seen": [None, 0.25],
            },
        }
    ]


def test_a_review_after_the_end_is_kept_as_a_revision_with_its_time(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _add_alerts(svc, deployment_id)
    at_end = dep.end(svc, OPERATOR, deployment_id)
    assert (at_end.false_alerts, at_end.unreviewed, at_end.revisions) == (1, 2, ())

    clock.advance(minutes=20)
    adjudicate(svc, OPERATOR, f"alert-{deployment_id}-5", "false_alert")
    record = get_record(svc, OVERSIGHT, deployment_id)
    assert (record.false_alerts, record.unreviewed) == (2, 1)
    assert record.published_at == (clock.now - timedelta(minutes=20)).isoformat(timespec="seconds")
    [revision] = record.revisions
    assert revision.revised_at == clock.now.isoformat(timespec="seconds")
    assert revision.changes["false_alerts"] == [1, 2]
    assert revision.changes["unreviewed"] == [2, 1]
    assert revision.changes["false_alert_rate_per_alert"] == [pytest.approx(1 / 7), 2 / 7]
    assert [r.deployment_id for r in public_records(svc)] == [deployment_id]
    assert public_records(svc)[0].revisions == (revision,)


def test_republishing_unchanged_figures_is_no_revision(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    dep.end(svc, OPERATOR, deployment_id)
    clock.advance(minutes=5)
    with svc.transaction() as session:
        publish_record(session, deployment_row_in(session, deployment_id), clock.now)
    assert get_record(svc, OVERSIGHT, deployment_id).revisions == ()
    assert count(svc, RecordRevision) == 0


def test_a_cancelled_deployment_gets_a_record_with_its_reason_and_no_counts(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = ready(svc, clock)
    clock.advance(minutes=10)
    dep.cancel(svc, OPERATOR, deployment_id, "event called off by the organisers")
    record = get_record(svc, OVERSIGHT, deployment_id)
    assert record.status == "cancelled"
    assert record.cancel_reason == "event called off by the organisers"
    assert (record.started_at, record.faces_seen, record.alerts, record.frames) == (None, 0, 0, 0)
    assert record.published_at == clock.now.isoformat(timespec="seconds")
    assert [r.status for r in public_records(svc)] == ["cancelled"]
    assert "deployment.record.publish" in audit_actions(svc)
    assert_chain_ok(svc)


def test_public_pages_need_no_account(services: Services) -> None:
    svc, clock = with_clock(services)
    tomorrow = STARTS + timedelta(days=1)
    planned = ready(svc, clock, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=4))
    first = live(svc, clock)
    assert public_records(svc) == []
    dep.end(svc, OPERATOR, first)
    second = live(svc, clock)
    dep.end(svc, OPERATOR, second)
    assert [r.deployment_id for r in public_records(svc)] == [second, first]
    schedule = public_schedule(svc)
    assert [s["deployment_id"] for s in schedule] == [planned]
    # how many cameras, never which or where
    assert schedule[0]["cameras"] == 1 and "rtsp" not in json.dumps(schedule)
    assert get_record(svc, SYSTEM, first).deployment_id == first
    with pytest.raises(NotFoundError, match="has no published record"):
        get_record(svc, OVERSIGHT, planned)


def deployment_row_in(session: Session, deployment_id: int) -> Deployment:
    row = session.get(Deployment, deployment_id)
    assert row is not None
    return row
