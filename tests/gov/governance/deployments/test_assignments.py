"""Need to know (``lfr.governance.deployments.assignments``): operators and field officers read,
decide and
record only the alerts of deployments they are assigned to; supervisors and oversight read all.
Assignments are made by supervisors and admins, the planning operator is assigned by planning,
and every change is audited; a refused change writes nothing."""

from __future__ import annotations

import pytest

from lfr.access.roles import Role
from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError, PermissionDeniedError, StateError
from lfr.governance.accounts.users import disable_user
from lfr.governance.alerts import adjudication as adj
from lfr.governance.deployments import assignments as asg
from lfr.governance.deployments import lifecycle
from tests.gov.conftest import ADMIN, AUTHORISER, FIELD, OPERATOR, OPERATOR_2, OVERSIGHT
from tests.gov.factories import (
    add_alert,
    add_deployment,
    add_users,
    add_watchlist,
    audit_entries,
    make_plan,
    snapshot,
    with_clock,
)


def test_officers_read_and_act_only_on_the_deployments_they_are_assigned_to(
    services: Services,
) -> None:
    add_users(services)
    mine = add_deployment(services, assigned=(FIELD, OPERATOR))
    theirs = add_deployment(services, assigned=(OPERATOR_2,))
    my_alert = add_alert(services, mine)
    their_alert = add_alert(services, theirs, seed=2)

    assert [v.id for v in adj.list_alerts(services, FIELD)] == [my_alert]
    assert [v.id for v in adj.list_alerts(services, OPERATOR_2)] == [their_alert]
    for reader in (AUTHORISER, OVERSIGHT):  # supervisors and oversight read every deployment
        assert {v.id for v in adj.list_alerts(services, reader)} == {my_alert, their_alert}
    with pytest.raises(PermissionDeniedError, match="fred is not assigned to deployment"):
        adj.list_alerts(services, FIELD, deployment_id=theirs)
    before = snapshot(services)
    for refused in (
        lambda: adj.get_alert(services, FIELD, their_alert),
        lambda: adj.alert_media(services, FIELD, their_alert),
        lambda: adj.adjudicate(services, OPERATOR, their_alert, "confirmed"),
    ):
        with pytest.raises(NotFoundError, match="no alert"):  # as if there were no such alert
            refused()
    assert snapshot(services) == before  # not even a media view was audited
    assert adj.alert_media(services, OPERATOR_2, their_alert) is not None


def test_a_supervisor_assigns_and_unassigns_and_each_change_is_audited(
    services: Services,
) -> None:
    add_users(services)
    deployment = add_deployment(services, assigned=())
    alert = add_alert(services, deployment)
    view = asg.assign(services, AUTHORISER, deployment, FIELD.username)
    assert (view.username, view.role, view.assigned_by) == ("fred", Role.FIELD_OFFICER, "arthur")
    asg.assign(services, ADMIN, deployment, OPERATOR.username)
    assert [v.username for v in asg.list_assignments(services, OVERSIGHT, deployment)] == [
        "fred",
        "olive",
    ]
    assert adj.get_alert(services, FIELD, alert).id == alert
    asg.unassign(services, AUTHORISER, deployment, FIELD.username)
    with pytest.raises(NotFoundError):
        adj.get_alert(services, FIELD, alert)
    entries = audit_entries(services, "deployment.assign") + audit_entries(
        services, "deployment.unassign"
    )
    assert [(e.actor, e.action, e.target, e.details["user"]) for e in entries] == [
        ("arthur", "deployment.assign", f"deployment:{deployment}", "fred"),
        ("ada", "deployment.assign", f"deployment:{deployment}", "olive"),
        ("arthur", "deployment.unassign", f"deployment:{deployment}", "fred"),
    ]


def test_refused_assignments_name_the_reason_and_write_nothing(services: Services) -> None:
    add_users(services)
    deployment = add_deployment(services, assigned=(FIELD,))
    disable_user(services, ADMIN, OPERATOR_2.username)
    before = snapshot(services)
    refusals = [
        (OPERATOR, FIELD.username, PermissionDeniedError, "may not deployment.assign"),
        (AUTHORISER, "nobody", NotFoundError, "no user 'nobody'"),
        (AUTHORISER, OVERSIGHT.username, LfrError, "only operators and field officers"),
        (AUTHORISER, OPERATOR_2.username, StateError, "disabled"),
        (AUTHORISER, FIELD.username, StateError, "already assigned"),
    ]
    for actor, username, error, message in refusals:
        with pytest.raises(error, match=message):
            asg.assign(services, actor, deployment, username)
    with pytest.raises(NotFoundError, match="no deployment with id 999"):
        asg.assign(services, AUTHORISER, 999, FIELD.username)
    with pytest.raises(NotFoundError, match="not assigned"):
        asg.unassign(services, AUTHORISER, deployment, OPERATOR.username)
    assert snapshot(services) == before


def test_the_operator_who_plans_a_deployment_is_assigned_to_it(services: Services) -> None:
    add_users(services)
    svc, _ = with_clock(services)
    watchlist_id = add_watchlist(svc)
    by_operator = lifecycle.plan_deployment(svc, OPERATOR, make_plan(watchlist_id))
    by_supervisor = lifecycle.plan_deployment(svc, AUTHORISER, make_plan(watchlist_id))
    assert [v.username for v in asg.list_assignments(svc, OVERSIGHT, by_operator)] == ["olive"]
    assert asg.list_assignments(svc, OVERSIGHT, by_supervisor) == []
    (entry,) = audit_entries(svc, "deployment.assign")
    assert (entry.actor, entry.target) == ("olive", f"deployment:{by_operator}")
    assert entry.details == {"user": "olive", "role": "operator", "why": "planner"}
