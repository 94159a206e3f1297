"""The go-live checks hold whatever wrote the deployment: a row stored straight into the
database (bypassing the services' own refusals, as an import or a hand edit would) still cannot
go live unless every condition holds. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lfr.access.services import Services
from lfr.errors import StateError
from lfr.governance.deployments.lifecycle import checklist, readiness, start
from lfr.governance.law.policy import DEFAULT_PURPOSES
from lfr.governance.states import DeploymentState
from lfr.store.tables import Deployment, SnapshotTemplate
from tests.gov.conftest import AUTHORISER, OPERATOR, OPERATOR_2
from tests.gov.factories import add_watchlist, audit_count, fixed_clock


def _stored(services: Services, **changes: Any) -> int:
    """A deployment written straight into the table, authorised by someone else, signposted,
    inside its window and within the policy - then ``changes`` applied."""
    now = services.clock()
    watchlist_id = add_watchlist(services)
    with services.transaction() as session:
        row = Deployment(
            name="Op Stored",
            purpose=DEFAULT_PURPOSES[0],
            location_name="High Street",
            latitude=51.5,
            longitude=-0.1,
            area_description="the pedestrian area",
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(hours=4),
            cameras={"cam-1": "rtsp://camera/1"},
            watchlist_id=watchlist_id,
            threshold=0.5,
            dpia_reference="DPIA-1",
            state=DeploymentState.AUTHORISED.value,
            planner=OPERATOR.username,
            created_at=now - timedelta(days=1),
            authorised_by=AUTHORISER.username,
            authorised_at=now - timedelta(hours=2),
            signage_confirmed_by=OPERATOR.username,
            signage_confirmed_at=now - timedelta(hours=1),
            signage_reference="SIGN-1",
        )
        for name, value in changes.items():
            setattr(row, name, value)
        session.add(row)
        session.flush()
        return row.id


def _state_and_snapshot(services: Services, deployment_id: int) -> tuple[str, int]:
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        assert row is not None
        snapshot = session.scalar(select(func.count()).select_from(SnapshotTemplate))
        return row.state, int(snapshot or 0)


def test_a_stored_deployment_authorised_by_someone_else_goes_live(services: Services) -> None:
    """The control: the row below is valid in every other way."""
    svc = fixed_clock(services)
    deployment_id = _stored(svc)
    assert readiness(svc, OPERATOR, deployment_id) == []
    start(svc, OPERATOR_2, deployment_id)
    assert _state_and_snapshot(svc, deployment_id) == (DeploymentState.LIVE, 3)


def test_a_deployment_its_planner_authorised_cannot_go_live(services: Services) -> None:
    svc = fixed_clock(services)
    deployment_id = _stored(svc, authorised_by=OPERATOR.username)
    problem = f"authorised by its own planner ({OPERATOR.username}); someone else must authorise it"
    assert readiness(svc, OPERATOR, deployment_id) == [problem]
    before = audit_count(svc)
    with pytest.raises(StateError) as refused:
        start(svc, OPERATOR_2, deployment_id)
    assert str(refused.value) == f"deployment {deployment_id} cannot go live: {problem}"
    assert _state_and_snapshot(svc, deployment_id) == (DeploymentState.AUTHORISED, 0)
    assert audit_count(svc) == before


def test_the_checklist_shows_every_condition_met_or_not(services: Services) -> None:
    """The deployment page's ticks: every condition, in plain words, with why it is unmet; the
    refusal to start names exactly the unmet ones."""
    svc = fixed_clock(services)
    deployment_id = _stored(svc, signage_confirmed_at=None, signage_confirmed_by=None)
    conditions = checklist(svc, OPERATOR, deployment_id)
    assert [c.name for c in conditions] == [
        "authorised",
        "signage",
        "plan",
        "window",
        "cameras",
        "watchlist",
        "documents",
        "children",
    ]
    assert {c.name: c.met for c in conditions} == {
        "authorised": True,
        "signage": False,
        "plan": True,
        "window": True,
        "cameras": True,
        "watchlist": True,
        "documents": True,
        "children": True,
    }
    assert all(c.label for c in conditions)
    unmet = [p for c in conditions for p in c.problems]
    assert unmet == ["signage not confirmed"] == readiness(svc, OPERATOR, deployment_id)
