"""An alert an edge node raised inside the window but delivered after the deployment ended
(its link was down) is stored late, once, with the subject check against the references kept of
the wiped snapshot, and the published record is revised (``lfr.governance.alerts.late_alerts``)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest
from sqlalchemy import update

from lfr.access.services import Services
from lfr.domain import Subject
from lfr.errors import IntegrityError, StateError
from lfr.governance.alerts.intake import store_alert
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.records.published import get_record
from lfr.governance.states import AUTHORITY_REFUSED
from lfr.store.tables import AlertRow, Deployment, SnapshotTemplate
from tests.gov.conftest import AUTHORISER, OPERATOR
from tests.gov.factories import (
    Clock,
    alert_row,
    assert_chain_ok,
    audit_entries,
    count,
    deployment_row,
    live,
    make_alert,
    with_clock,
)


def _ended_with_a_moment_inside(services: Services, clock: Clock) -> tuple[int, datetime]:
    deployment_id = live(services, clock)
    clock.advance(minutes=30)
    inside = clock.now
    clock.advance(minutes=30)
    dep.end(services, OPERATOR, deployment_id)
    clock.advance(hours=2)  # the node's link comes back
    return deployment_id, inside


def test_an_alert_raised_in_the_window_and_delivered_after_the_end_is_stored_once_as_a_revision(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id, inside = _ended_with_a_moment_inside(svc, clock)
    assert count(svc, SnapshotTemplate, deployment_id=deployment_id) == 0  # wiped at the end
    assert deployment_row(svc, deployment_id).snapshot_references == [
        "WL-0000",
        "WL-0001",
        "WL-0002",
    ]

    with_descriptor = make_alert("late-1", probe_descriptor=np.full(128, 0.1, np.float32))
    assert store_alert(svc, deployment_id, with_descriptor, inside) is True
    assert store_alert(svc, deployment_id, make_alert("late-1"), inside) is False  # redelivery

    assert count(svc, AlertRow, deployment_id=deployment_id) == 1
    row = alert_row(svc, "late-1")
    assert row.probe_crop_enc is not None
    assert row.probe_descriptor_enc is None  # the end wiped the deployment's descriptors
    # officers see when it happened on the node, not when the link came back
    assert row.raised_at.replace(tzinfo=None) == inside.replace(tzinfo=None)
    (raised,) = audit_entries(svc, "alert.raised")
    assert raised.details["alert_id"] == "late-1" and raised.details["delivered_late"] is True
    record = get_record(svc, AUTHORISER, deployment_id).as_dict()
    assert (record["alerts"], record["unreviewed"]) == (1, 1)
    assert record["revisions"] == [
        {
            "revised_at": clock.now.isoformat(timespec="seconds"),
            "changes": {
                "alerts": [0, 1],
                "unreviewed": [0, 1],
                "false_alert_rate_per_alert": [None, 0.0],
            },
        }
    ]
    assert_chain_ok(svc)


def test_a_late_alert_raised_outside_the_window_or_without_a_time_or_too_late_is_refused(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id, inside = _ended_with_a_moment_inside(svc, clock)
    row = deployment_row(svc, deployment_id)
    assert row.ended_at is not None

    with pytest.raises(StateError, match="raised outside its window"):
        store_alert(svc, deployment_id, make_alert("after"), clock.now)
    with pytest.raises(StateError, match="does not say when it was raised"):
        store_alert(svc, deployment_id, make_alert("untimed"))
    clock.advance(days=32)  # the default policy keeps alerts 31 days
    with pytest.raises(StateError, match="longer ago than alerts are kept"):
        store_alert(svc, deployment_id, make_alert("stale"), inside)
    assert count(svc, AlertRow) == 0


def test_a_late_alert_whose_subject_was_not_on_the_snapshot_is_refused_as_no_match(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id, inside = _ended_with_a_moment_inside(svc, clock)
    stranger = Subject("WL-9999", "Nobody Listed", "wanted by the courts", "none", "none")

    with pytest.raises(IntegrityError, match="not on the deployment's watchlist snapshot"):
        store_alert(svc, deployment_id, make_alert("forged", subject=stranger), inside)
    with pytest.raises(IntegrityError, match="distance is above the threshold"):
        store_alert(svc, deployment_id, make_alert("far", distance=0.9, score=0.1), inside)

    assert count(svc, AlertRow) == 0
    assert len(audit_entries(svc, "alert.refused")) == 2


def test_a_late_alert_for_a_use_deleted_under_eu_rules_is_refused(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id, inside = _ended_with_a_moment_inside(svc, clock)
    with svc.transaction() as session:  # as use_deletion.delete_use leaves it
        session.execute(
            update(Deployment)
            .where(Deployment.id == deployment_id)
            .values(end_reason=AUTHORITY_REFUSED)
        )

    with pytest.raises(StateError, match="its use was deleted"):
        store_alert(svc, deployment_id, make_alert("late-1"), inside)
    assert count(svc, AlertRow) == 0
