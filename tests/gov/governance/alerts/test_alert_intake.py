"""Alerts and counts entering the governed store (``lfr.governance.alerts.intake``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.audit.alerts import raised_details
from lfr.domain import Subject
from lfr.errors import IntegrityError, LfrError, NotFoundError, PolicyViolationError, StateError
from lfr.governance.alerts.intake import add_counts, store_alert
from lfr.governance.deployments import lifecycle as dep
from lfr.imaging import decode_jpeg
from lfr.store.sealing import open_image
from lfr.store.tables import AlertRow, WatchlistEntry
from tests.gov.conftest import OPERATOR
from tests.gov.factories import (
    assert_chain_ok,
    audit_count,
    audit_entries,
    count,
    deployment_row,
    live,
    make_alert,
    ready,
    with_clock,
)

# --- store_alert ------------------------------------------------------------------------------


def test_an_alert_is_stored_once_with_sealed_crops(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    alert = make_alert()
    assert store_alert(svc, deployment_id, alert) is True
    assert store_alert(svc, deployment_id, alert) is False  # a retried delivery
    assert count(svc, AlertRow) == 1

    with svc.transaction() as session:
        row = session.get(AlertRow, alert.id)
        assert row is not None
        entry = session.scalar(select(WatchlistEntry).where(WatchlistEntry.reference == "WL-0001"))
        assert entry is not None and row.entry_id == entry.id
    assert (row.deployment_id, row.camera, row.status) == (deployment_id, "van-front", "pending")
    assert (row.subject_reference, row.subject_name) == ("WL-0001", "Person 1")
    assert (row.category, row.reason) == ("wanted by the courts", "warrant 77")
    assert (row.distance, row.score, row.threshold) == (0.312, 0.688, 0.5)
    assert (row.time_s, row.frame, row.track) == (12.4, 310, 7)
    assert row.raised_at == clock.now and row.enrolled_image == "1.jpg"
    assert row.probe_crop_enc is not None and row.enrolled_crop_enc is not None
    probe = decode_jpeg(open_image(svc.cipher, row.probe_crop_enc, "alert", alert.id, "probe"))
    enrolled = open_image(svc.cipher, row.enrolled_crop_enc, "alert", alert.id, "enrolled")
    assert probe.shape == (48, 40, 3) and decode_jpeg(enrolled).shape == (50, 42, 3)

    (raised,) = audit_entries(svc, "alert.raised")
    assert raised.actor == "engine:van-front" and raised.target == f"alert:{alert.id}"
    digest = raised_details(row)
    assert raised.details == {
        "alert_id": alert.id,
        "deployment_id": deployment_id,
        "subject_reference": "WL-0001",
        "distance": 0.312,
        "threshold": 0.5,
        "camera": "van-front",
        **digest,
    }
    assert len(digest["content_digest"]) == 64 and digest["probe_crop_sha256"] is not None
    assert_chain_ok(svc)


def test_an_alert_that_is_no_match_is_refused_kept_nowhere_and_audited(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)  # threshold 0.5; its snapshot holds WL-0000..WL-0002
    stranger = Subject("WL-9999", "Nobody Listed", "wanted by the courts", "none", "none")
    with pytest.raises(IntegrityError, match="distance is above the threshold"):
        store_alert(svc, deployment_id, make_alert("far", distance=0.9, score=0.1))
    with pytest.raises(IntegrityError, match="not on the deployment's watchlist snapshot"):
        store_alert(svc, deployment_id, make_alert("unlisted", subject=stranger))
    with pytest.raises(IntegrityError, match="above the threshold"):
        store_alert(svc, deployment_id, make_alert("nan", distance=float("nan")))
    assert count(svc, AlertRow) == 0 and audit_entries(svc, "alert.raised") == []

    refused = audit_entries(svc, "alert.refused")
    assert [(e.actor, e.target) for e in refused] == [
        ("engine:van-front", f"deployment:{deployment_id}")
    ] * 3
    assert [e.details["alert_id"] for e in refused] == ["far", "unlisted", "nan"]
    for entry in refused:
        assert set(entry.details) == {"error", "alert_id", "camera", "reason"}
        assert entry.details["error"] == "integrity"
        written = str(entry.details)
        assert "0.9" not in written and "WL-9999" not in written and "Nobody" not in written
    assert_chain_ok(svc)


def test_alerts_are_refused_unless_the_deployment_is_live(services: Services) -> None:
    svc, clock = with_clock(services)
    draft = ready(svc, clock)
    before = audit_count(svc)
    with pytest.raises(StateError, match="is authorised; alerts are accepted only while it is"):
        store_alert(svc, draft, make_alert())
    with pytest.raises(NotFoundError):
        store_alert(svc, 999, make_alert())
    assert audit_count(svc) == before
    deployment_id = live(svc, clock)
    before = audit_count(svc)
    with pytest.raises(PolicyViolationError, match="looser than deployment"):
        store_alert(svc, deployment_id, make_alert(threshold=0.55))
    assert audit_count(svc) == before
    dep.end(svc, OPERATOR, deployment_id)
    before = audit_count(svc)
    with pytest.raises(StateError, match="is ended"):
        store_alert(svc, deployment_id, make_alert("late"))
    assert count(svc, AlertRow) == 0 and audit_count(svc) == before


def test_counts_accumulate_while_live(services: Services) -> None:
    svc, clock = with_clock(services)
    draft = ready(svc, clock)
    with pytest.raises(StateError, match="has not been live"):
        add_counts(svc, draft, 1, 1, 1)
    deployment_id = live(svc, clock)
    with pytest.raises(LfrError, match="cannot be negative"):
        add_counts(svc, deployment_id, -1, 0, 0)
    assert add_counts(svc, deployment_id, 100, 30, 5)
    assert add_counts(svc, deployment_id, 50, 10, 2)
    row = deployment_row(svc, deployment_id)
    assert (row.frames, row.face_detections, row.tracks) == (150, 40, 7)
    assert [e.actor for e in audit_entries(svc, "deployment.counts")] == ["engine", "engine"]
