"""Who may do what, pinned: the permission matrix is written out below by hand, so adding or
removing any single permission in ``lfr.access.roles`` fails here. Every protected action is then
tried by every role: the allowed roles get past the role check, the others are refused and
nothing at all is written (no row, no audit entry).

SQLite only: the permission matrix is policy above the store; 'nothing written' is counted
through the same ORM queries on either engine, and every service's own tests run on both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lfr.access.roles import PERMISSIONS, Action, Actor, Role, require
from lfr.access.services import Services
from lfr.audit.service import read_audit
from lfr.errors import LfrError, PermissionDeniedError
from lfr.governance.accounts import users
from lfr.governance.alerts import adjudication
from lfr.governance.authority import requests as independent_authority
from lfr.governance.deployments import assignments, evaluations, lifecycle
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.deployments.snapshot import load_snapshot
from lfr.governance.law import policy_service
from lfr.governance.law.policy import Policy
from lfr.governance.records import documents
from lfr.governance.records import published as records
from lfr.governance.retention import holds
from lfr.governance.retention.purge import purge
from lfr.governance.watchlists import entries as watchlists
from lfr.governance.watchlists import entry_details
from lfr.governance.watchlists import faces as watchlist_faces
from lfr.store.tables import Base
from tests.gov.factories import add_alert, add_deployment, add_watchlist, fixed_clock

pytestmark = pytest.mark.backends("sqlite")

# The expected matrix, copied by hand from the design - never computed from PERMISSIONS. One row
# per action, one column per role: "x" = allowed, "." = refused. A change here is a change of
# who may do what: make it on purpose, together with lfr.access.roles.
MATRIX = """
action                      admin  watchlist  authoriser  operator  field  oversight  indep  system
user.manage                   x        .          .          .        .        .          .        .
policy.set                    x        .          .          .        .        .          .        .
policy.read                   x        x          x          x        x        x          .        .
watchlist.manage              .        x          .          .        .        .          .        .
watchlist.read                .        x          x          .        .        x          .        .
watchlist.face.view           .        x          x          .        .        .          .        .
deployment.plan               .        .          x          x        .        .          .        .
deployment.authorise          .        .          x          .        .        .          .        .
deployment.confirm_signage    .        .          x          x        .        .          .        .
deployment.start              .        .          x          x        .        .          .        .
deployment.end                .        .          x          x        .        .          .        x
deployment.run                .        .          .          x        .        .          .        x
deployment.read               x        x          x          x        x        x          .        .
deployment.assign             x        .          x          .        .        .          .        .
deployment.request_authority  .        .          x          x        .        .          .        .
deployment.independent_decision .   .          .          .        .        .          x        .
alert.read                    .        .          x          x        x        x          .        .
alert.adjudicate              .        .          .          x        .        .          .        .
alert.outcome                 .        .          .          .        x        .          .        .
alert.hold                    .        .          x          .        .        .          .        .
retention.purge               x        .          .          .        .        .          .        x
audit.read                    x        .          .          .        .        x          .        .
record.read                   x        x          x          x        x        x          .        x
document.manage               x        .          x          .        .        .          .        .
document.read                 x        .          x          .        .        x          .        .
watchlist.child.approve       .        .          x          .        .        .          .        .
evaluation.import             x        .          .          .        .        .          .        .
"""
COLUMNS = {
    "admin": Role.ADMIN,
    "watchlist": Role.WATCHLIST_MANAGER,
    "authoriser": Role.AUTHORISING_OFFICER,
    "operator": Role.OPERATOR,
    "field": Role.FIELD_OFFICER,
    "oversight": Role.OVERSIGHT,
    "indep": Role.INDEPENDENT_AUTHORITY,
    "system": Role.SYSTEM,
}


def _parse(table: str) -> dict[Action, dict[Role, bool]]:
    """The table as {action: {role: allowed}}; a malformed row is an error, never skipped."""
    header, *rows = table.strip().splitlines()
    title, *names = header.split()
    if title != "action" or names != list(COLUMNS):
        raise ValueError(f"unexpected header: {header!r}")
    roles = [COLUMNS[name] for name in names]
    matrix: dict[Action, dict[Role, bool]] = {}
    for row in rows:
        name, *cells = row.split()
        if len(cells) != len(roles) or not set(cells) <= {"x", "."}:
            raise ValueError(f"malformed row: {row!r}")
        action = Action(name)
        if action in matrix:
            raise ValueError(f"{name} is listed twice")
        matrix[action] = {role: cell == "x" for role, cell in zip(roles, cells, strict=True)}
    return matrix


EXPECTED = _parse(MATRIX)


def test_the_matrix_covers_every_action_and_every_role() -> None:
    assert set(EXPECTED) == set(Action)
    assert set(COLUMNS.values()) == set(Role)


def test_permissions_are_exactly_the_matrix() -> None:
    assert set(PERMISSIONS) == set(Action)
    wrong = [
        f"{role.value} {'may' if role in PERMISSIONS[action] else 'may not'} {action.value}"
        for action in Action
        for role in Role
        if (role in PERMISSIONS[action]) != EXPECTED[action][role]
    ]
    assert wrong == [], "PERMISSIONS differs from the matrix"


def test_require_enforces_the_matrix() -> None:
    for action, allowed in EXPECTED.items():
        for role, may in allowed.items():
            actor = Actor(f"matrix-{role.value}", role)
            if may:
                require(actor, action)
            else:
                with pytest.raises(PermissionDeniedError, match=action.value):
                    require(actor, action)


Call = Callable[[Services, Actor, dict[str, Any]], object]


def _plan(s: Services, a: Actor, ids: dict[str, Any]) -> object:
    now = s.clock()
    plan = DeploymentPlan(
        name="Matrix",
        purpose=Policy().purposes[0],
        location_name="High Street",
        latitude=51.5,
        longitude=-0.1,
        area_description="pedestrian area",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        cameras={"cam": "rtsp://camera/1"},
        watchlist_id=ids["watchlist"],
        threshold=0.5,
        dpia_reference="DPIA-9",
    )
    return lifecycle.plan_deployment(s, a, plan)


CALLS: dict[Action, Call] = {
    Action.USER_MANAGE: lambda s, a, ids: users.list_users(s, a),
    Action.POLICY_SET: lambda s, a, ids: policy_service.set_policy(s, a, Policy()),
    Action.POLICY_READ: lambda s, a, ids: policy_service.current_policy(s, a),
    Action.WATCHLIST_MANAGE: lambda s, a, ids: watchlists.create_watchlist(
        s, a, f"wl-{uuid.uuid4().hex[:6]}"
    ),
    Action.WATCHLIST_READ: lambda s, a, ids: watchlists.list_watchlists(s, a),
    Action.WATCHLIST_FACE_VIEW: lambda s, a, ids: watchlist_faces.entry_face(
        s, a, ids["watchlist"], "nobody"
    ),
    Action.DEPLOYMENT_PLAN: _plan,
    Action.DEPLOYMENT_AUTHORISE: lambda s, a, ids: lifecycle.authorise(s, a, ids["draft"]),
    Action.DEPLOYMENT_SIGNAGE: lambda s, a, ids: lifecycle.confirm_signage(
        s, a, ids["draft"], "SIGN-1"
    ),
    Action.DEPLOYMENT_START: lambda s, a, ids: lifecycle.start(s, a, ids["draft"]),
    Action.DEPLOYMENT_END: lambda s, a, ids: lifecycle.end(s, a, ids["draft"]),
    Action.DEPLOYMENT_RUN: lambda s, a, ids: load_snapshot(s, a, ids["live"]),
    Action.DEPLOYMENT_READ: lambda s, a, ids: lifecycle.get_deployment(s, a, ids["draft"]),
    Action.DEPLOYMENT_ASSIGN: lambda s, a, ids: assignments.assign(
        s, a, ids["draft"], "no-such-officer"
    ),
    Action.ALERT_READ: lambda s, a, ids: adjudication.list_alerts(s, a),
    Action.ALERT_ADJUDICATE: lambda s, a, ids: adjudication.adjudicate(
        s, a, ids["alert"], "confirmed"
    ),
    Action.ALERT_OUTCOME: lambda s, a, ids: adjudication.record_outcome(
        s, a, ids["alert"], "engaged"
    ),
    Action.ALERT_HOLD: lambda s, a, ids: holds.hold(s, a, ids["alert"], "evidence"),
    Action.RETENTION_PURGE: lambda s, a, ids: purge(s, a),
    Action.AUDIT_READ: lambda s, a, ids: read_audit(s, a),
    Action.RECORD_READ: lambda s, a, ids: records.get_record(s, a, ids["draft"]),
    Action.DEPLOYMENT_REQUEST_AUTHORITY: lambda s, a, ids: independent_authority.request_authority(
        s, a, ids["draft"], "harm", "rights"
    ),
    Action.DEPLOYMENT_INDEPENDENT_DECISION: lambda s, a, ids: independent_authority.list_requests(
        s, a
    ),
    Action.DOCUMENT_MANAGE: lambda s, a, ids: documents.add_document(
        s, a, documents.NewDocument("dpia", "1", "", "0" * 64, date(2030, 1, 1))
    ),
    Action.DOCUMENT_READ: lambda s, a, ids: documents.list_documents(s, a),
    Action.ENTRY_CHILD_APPROVE: lambda s, a, ids: entry_details.approve_child(
        s, a, ids["watchlist"], "WL-0000"
    ),
    Action.EVALUATION_IMPORT: lambda s, a, ids: evaluations.import_evaluation(s, a, b"{}"),
}


def test_every_action_is_covered() -> None:
    assert set(CALLS) == set(Action)


def row_counts(services: Services) -> dict[str, int]:
    with services.transaction() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_against_each_action(services: Services, role: Role) -> None:
    svc = fixed_clock(services)
    ids = {
        "watchlist": add_watchlist(svc),
        "draft": add_deployment(svc, state="draft"),
        "live": add_deployment(svc, state="live"),
    }
    ids["alert"] = add_alert(svc, ids["live"])
    actor = Actor(f"matrix-{role.value}", role)
    for action, call in CALLS.items():
        before = row_counts(svc)
        if EXPECTED[action][role]:
            try:
                call(svc, actor, ids)
            except PermissionDeniedError as exc:  # pragma: no cover - the failure message
                pytest.fail(f"{role.value} refused {action.value}: {exc}")
            except LfrError:
                pass  # past the role check; the action itself may not fit the fixture's state
        else:
            with pytest.raises(PermissionDeniedError, match=action.value):
                call(svc, actor, ids)
            assert row_counts(svc) == before, f"{role.value} {action.value} wrote something"
