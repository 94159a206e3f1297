"""No decision without the faces (issue 10): a login session may confirm or reject an alert only
once it has loaded both of its pictures; a refusal writes nothing. Also: no arrest as the
outcome of a false alert, and each officer's history of the alerts they handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError, StateError
from lfr.governance.alerts import adjudication as adj
from lfr.governance.alerts.history import handled_alerts
from lfr.governance.alerts.views import PicturesNotViewedError
from lfr.governance.law.policy import Policy, RetentionPolicy
from lfr.governance.retention.purge import purge
from lfr.store.tables import AlertMediaView
from tests.gov.conftest import ADMIN, FIELD, OPERATOR, OPERATOR_2
from tests.gov.factories import (
    NOW,
    add_alert,
    add_deployment,
    alert_row,
    fixed_clock,
    jpeg,
    set_policy,
    snapshot,
)


@pytest.fixture
def svc(services: Services) -> Services:
    return fixed_clock(services)


def _views(services: Services) -> int:
    with services.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(AlertMediaView)) or 0)


def test_a_session_decides_only_after_loading_both_pictures(svc: Services) -> None:
    alert_id = add_alert(svc, add_deployment(svc), seed=7)
    before = snapshot(svc)
    with pytest.raises(PicturesNotViewedError, match="the face the camera saw and the watchlist"):
        adj.adjudicate(svc, OPERATOR, alert_id, "confirmed", viewer_session="s-1")
    assert snapshot(svc) == before  # refused: no decision, no audit entry

    probe = adj.alert_picture(svc, OPERATOR, alert_id, "probe", viewer_session="s-1")
    assert probe == jpeg(7)
    with pytest.raises(PicturesNotViewedError, match="session: the watchlist image"):
        adj.adjudicate(svc, OPERATOR, alert_id, "false_alert", viewer_session="s-1")
    adj.alert_picture(svc, OPERATOR, alert_id, "enrolled", viewer_session="s-1")
    with pytest.raises(PicturesNotViewedError):  # another login of the same officer
        adj.adjudicate(svc, OPERATOR, alert_id, "confirmed", viewer_session="s-2")
    view = adj.adjudicate(svc, OPERATOR, alert_id, "confirmed", viewer_session="s-1")
    assert view.status == "confirmed"


def test_loading_a_picture_again_is_recorded_once(svc: Services) -> None:
    alert_id = add_alert(svc, add_deployment(svc))
    for _ in range(3):
        adj.alert_picture(svc, OPERATOR, alert_id, "probe", viewer_session="s-1")
    adj.alert_media(svc, OPERATOR, alert_id, viewer_session="s-1")  # both at once
    assert _views(svc) == 2


def test_an_officer_who_may_not_see_the_alert_records_no_view(svc: Services) -> None:
    theirs = add_alert(svc, add_deployment(svc, assigned=(OPERATOR,)))
    with pytest.raises(NotFoundError):
        adj.alert_picture(svc, OPERATOR_2, theirs, "probe", viewer_session="s-9")
    assert _views(svc) == 0


def test_the_second_confirmer_needs_the_pictures_too(svc: Services) -> None:
    set_policy(svc, Policy(second_confirmer_required=True))
    alert_id = add_alert(svc, add_deployment(svc))
    adj.adjudicate(svc, OPERATOR, alert_id, "confirmed")  # the CLI's path: no web session
    with pytest.raises(PicturesNotViewedError):
        adj.second_confirm(svc, OPERATOR_2, alert_id, True, viewer_session="s-2")
    assert alert_row(svc, alert_id).status == "awaiting_second"
    adj.alert_media(svc, OPERATOR_2, alert_id, viewer_session="s-2")
    assert adj.second_confirm(svc, OPERATOR_2, alert_id, True, viewer_session="s-2").status == (
        "confirmed"
    )


def test_no_arrest_on_a_false_alert(svc: Services) -> None:
    alert_id = add_alert(svc, add_deployment(svc), status="false_alert")
    before = snapshot(svc)
    with pytest.raises(StateError, match="an arrest cannot be its outcome"):
        adj.record_outcome(svc, FIELD, alert_id, "arrested")
    assert snapshot(svc) == before
    assert adj.record_outcome(svc, FIELD, alert_id, "no_action").outcome == "no_action"


def test_handled_history_is_the_officers_own_newest_first(svc: Services) -> None:
    deployment = add_deployment(svc)
    handled = [add_alert(svc, deployment, seed=n) for n in range(3)]
    for alert_id in handled:
        adj.adjudicate(svc, OPERATOR, alert_id, "false_alert")
    adj.adjudicate(svc, OPERATOR_2, add_alert(svc, deployment), "confirmed")
    page = handled_alerts(svc, OPERATOR, limit=2)
    assert page.total == 3 and len(page.alerts) == 2
    assert {a.id for a in page.alerts} | {
        a.id for a in handled_alerts(svc, OPERATOR, offset=2).alerts
    } == set(handled)
    assert handled_alerts(svc, FIELD).total == 0
    with pytest.raises(LfrError, match="a page holds 1 to 100"):
        handled_alerts(svc, OPERATOR, limit=101)


def test_the_purge_forgets_who_loaded_the_pictures_of_the_alerts_it_deletes(
    svc: Services,
) -> None:
    set_policy(svc, Policy(retention=RetentionPolicy(alert_media_days=7, alert_days=60)))
    deployment = add_deployment(svc)
    expired = add_alert(svc, deployment, raised_at=NOW - timedelta(days=61))
    kept = add_alert(svc, deployment, raised_at=NOW - timedelta(days=1))
    for alert_id in (expired, kept):
        adj.alert_media(svc, OPERATOR, alert_id, viewer_session="s-1")
    purge(svc, ADMIN)
    with svc.transaction() as session:
        left = set(session.scalars(select(AlertMediaView.alert_id)))
    assert left == {kept}
