"""Not this person in the governed store (``lfr.governance.watchlists.lookalikes``): a rejected
alert's
probe descriptor becomes a sealed negative for its subject, audited without biometric data,
and is wiped with the snapshot when the deployment ends."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np

from lfr.access.services import Services
from lfr.centre.camera_port import GovernedDeployments
from lfr.governance.alerts import adjudication as adj
from lfr.governance.alerts.intake import store_alert
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.law.policy import Policy
from lfr.governance.retention.purge import purge
from lfr.governance.watchlists.lookalikes import NEGATIVE_KIND
from lfr.store.sealing import open_vector
from lfr.store.tables import LookalikeNegative
from tests.gov.conftest import ADMIN, OPERATOR, OPERATOR_2
from tests.gov.factories import (
    ENDS,
    alert_row,
    assert_chain_ok,
    assign_officers,
    audit_entries,
    count,
    live,
    make_alert,
    set_policy,
    with_clock,
)

DESCRIPTOR = np.array([0.123456, -0.654321, 0.5, 0.25], np.float32)


def _raise(svc: Services, deployment_id: int, alert_id: str) -> None:
    assert store_alert(svc, deployment_id, make_alert(alert_id, probe_descriptor=DESCRIPTOR))


def _negatives(svc: Services) -> list[LookalikeNegative]:
    with svc.transaction() as session:
        return list(session.query(LookalikeNegative).order_by(LookalikeNegative.id))


def _assert_no_clear_descriptor(blob: bytes) -> None:
    for dtype in ("<f4", "<f8"):
        assert DESCRIPTOR.astype(dtype).tobytes()[:8] not in blob


def test_a_false_alert_becomes_a_sealed_negative_audited_without_its_descriptor(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _raise(svc, deployment_id, "alert-1")
    sealed_with_alert = alert_row(svc, "alert-1").probe_descriptor_enc
    assert sealed_with_alert is not None
    _assert_no_clear_descriptor(sealed_with_alert)

    adj.adjudicate(svc, OPERATOR, "alert-1", "false_alert")

    [negative] = _negatives(svc)
    assert (negative.deployment_id, negative.alert_id) == (deployment_id, "alert-1")
    assert (negative.subject_reference, negative.added_by) == ("WL-0001", OPERATOR.username)
    _assert_no_clear_descriptor(negative.descriptor_enc)
    opened = open_vector(
        svc.cipher, negative.descriptor_enc, NEGATIVE_KIND, str(deployment_id), "alert-1"
    )
    assert opened.tolist() == DESCRIPTOR.tolist()
    [entry] = audit_entries(svc, "alert.negative_added")
    assert entry.target == "alert:alert-1" and entry.actor == OPERATOR.username
    assert entry.details == {"deployment": deployment_id, "subject_reference": "WL-0001"}
    assert f"{DESCRIPTOR[0]:.4f}" not in json.dumps(entry.details)
    assert_chain_ok(svc)

    # What the running cameras are given: the new negatives only, opened.
    port = GovernedDeployments(svc)
    [given] = port.lookalike_negatives(deployment_id, after_id=0)
    assert given.subject_reference == "WL-0001" and given.descriptor.tolist() == DESCRIPTOR.tolist()
    assert port.lookalike_negatives(deployment_id, after_id=given.id) == []
    assert len(port.open_run(OPERATOR, deployment_id).negatives) == 1  # a restarted run too


def test_a_confirmed_alert_is_no_negative(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _raise(svc, deployment_id, "alert-1")
    adj.adjudicate(svc, OPERATOR, "alert-1", "confirmed")
    assert count(svc, LookalikeNegative) == 0
    assert audit_entries(svc, "alert.negative_added") == []


def test_ending_the_deployment_wipes_negatives_and_descriptors_and_audits_it(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    for alert_id in ("alert-1", "alert-2"):
        _raise(svc, deployment_id, alert_id)
    adj.adjudicate(svc, OPERATOR, "alert-1", "false_alert")
    assert count(svc, LookalikeNegative) == 1

    dep.end(svc, OPERATOR, deployment_id, "operation complete")

    assert count(svc, LookalikeNegative) == 0
    assert [alert_row(svc, a).probe_descriptor_enc for a in ("alert-1", "alert-2")] == [None] * 2
    [wiped] = audit_entries(svc, "deployment.snapshot.wiped")
    assert wiped.details["lookalike_negatives_deleted"] == 1
    assert wiped.details["alert_descriptors_wiped"] == 2
    # A late rejection of the ended deployment's other alert leaves nothing to wipe.
    adj.adjudicate(svc, OPERATOR, "alert-2", "false_alert")
    assert count(svc, LookalikeNegative) == 0
    assert len(audit_entries(svc, "alert.negative_added")) == 1
    assert_chain_ok(svc)


def test_the_purge_wipes_the_negatives_of_a_deployment_still_live_long_after_its_window(
    services: Services,
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    _raise(svc, deployment_id, "alert-1")
    adj.adjudicate(svc, OPERATOR, "alert-1", "false_alert")
    assert count(svc, LookalikeNegative) == 1

    report = purge(svc, ADMIN, now=ENDS + timedelta(hours=25))  # a worker that never stopped

    assert report.snapshot_deployments == (deployment_id,)
    assert count(svc, LookalikeNegative) == 0
    assert alert_row(svc, "alert-1").probe_descriptor_enc is None


def test_a_second_confirmer_who_disagrees_adds_the_negative_too(services: Services) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    assign_officers(svc, deployment_id, OPERATOR_2)
    set_policy(svc, Policy(second_confirmer_required=True))
    _raise(svc, deployment_id, "alert-1")
    adj.adjudicate(svc, OPERATOR, "alert-1", "confirmed")
    assert count(svc, LookalikeNegative) == 0  # awaiting a second opinion: no negative yet
    adj.second_confirm(svc, OPERATOR_2, "alert-1", agree=False)
    [negative] = _negatives(svc)
    assert (negative.alert_id, negative.added_by) == ("alert-1", OPERATOR_2.username)
