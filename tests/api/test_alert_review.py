"""Reviewing an alert as the officers' web app does (issue 10): no decision before both faces
were loaded in this login session, each picture its own audited image, many loaded at once, no
arrest on a false alert, where the deployment is, and each officer's history of handled alerts."""

from __future__ import annotations

import threading
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete

from lfr.access.services import Services
from lfr.events import InMemoryEventBus
from lfr.governance.alerts import adjudication as adj
from lfr.governance.deployments import lifecycle
from lfr.governance.law.policy import Policy
from lfr.store.tables import DeploymentAssignment
from tests.api.helpers import as_user, look_at_faces, raise_alert
from tests.gov.conftest import FIELD, OPERATOR, OPERATOR_2
from tests.gov.factories import (
    add_alert,
    add_deployment,
    alert_row,
    assert_chain_ok,
    audit_entries,
    set_policy,
)


def _decide(client: TestClient, alert_id: str, decision: str = "confirmed") -> tuple[int, str]:
    response = client.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": decision})
    return response.status_code, response.json().get("detail", "")


def test_a_decision_is_refused_until_this_session_has_loaded_both_faces(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    alert_id = raise_alert(services, bus, add_deployment(services, state="live"))
    olive = as_user(app, "olive")

    code, detail = _decide(olive, alert_id)
    assert code == 409
    assert "the face the camera saw and the watchlist image" in detail
    olive.get(f"/api/alerts/{alert_id}/media/probe").raise_for_status()
    code, detail = _decide(olive, alert_id, "false_alert")
    assert code == 409
    assert "not yet loaded in this login session: the watchlist image" in detail
    assert "camera saw" not in detail
    assert alert_row(services, alert_id).status == "pending"
    assert audit_entries(services, "alert.adjudicate") == []  # a refusal writes no decision

    olive.get(f"/api/alerts/{alert_id}/media/enrolled").raise_for_status()
    assert _decide(olive, alert_id) == (200, "")
    assert alert_row(services, alert_id).status == "confirmed"


def test_a_new_login_must_load_the_faces_again(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    alert_id = raise_alert(services, bus, add_deployment(services, state="live"))
    first = as_user(app, "olive")
    look_at_faces(first, alert_id)
    second = as_user(app, "olive")  # the same officer, another login
    assert _decide(second, alert_id)[0] == 409
    assert _decide(first, alert_id) == (200, "")


def test_the_second_confirmer_must_load_both_faces_too(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    set_policy(services, Policy(second_confirmer_required=True))
    alert_id = raise_alert(services, bus, add_deployment(services, state="live"))
    olive, otto = as_user(app, "olive"), as_user(app, "otto")
    look_at_faces(olive, alert_id)
    assert _decide(olive, alert_id) == (200, "")
    agree = {"agree": True}
    blind = otto.post(f"/api/alerts/{alert_id}/second-confirm", json=agree)
    assert blind.status_code == 409 and "look at both faces" in blind.json()["detail"]
    assert alert_row(services, alert_id).status == "awaiting_second"
    look_at_faces(otto, alert_id)
    seen = otto.post(f"/api/alerts/{alert_id}/second-confirm", json=agree)
    assert seen.status_code == 200 and seen.json()["status"] == "confirmed"


def test_each_picture_is_a_jpeg_served_uncached_and_audited(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    alert_id = raise_alert(services, bus, add_deployment(services, state="live"))
    fred = as_user(app, "fred")
    for picture in ("probe", "enrolled"):
        response = fred.get(f"/api/alerts/{alert_id}/media/{picture}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
        assert response.headers["cache-control"] == "no-store"
        assert response.content[:2] == b"\xff\xd8"
    assert fred.get(f"/api/alerts/{alert_id}/media/template").status_code == 422
    viewed = audit_entries(services, "alert.media.viewed")
    assert [(e.actor, e.details["picture"]) for e in viewed] == [
        ("fred", "probe"),
        ("fred", "enrolled"),
    ]


def test_many_pictures_load_at_once_without_an_error(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    """Several cards and officers opening pictures at the same moment (the cause of "faces
    fail to load": concurrent audit appends): every request succeeds, the chain verifies."""
    deployment_id = add_deployment(services, state="live")
    alert_ids = [add_alert(services, deployment_id, seed=n) for n in range(3)]
    clients = [as_user(app, name) for name in ("olive", "otto", "fred", "olive")]
    start = threading.Barrier(len(clients))
    codes: list[int] = []
    failures: list[BaseException] = []

    def open_cards(client: TestClient) -> None:
        try:
            start.wait()
            for alert_id in alert_ids:
                for picture in ("probe", "enrolled"):
                    codes.append(client.get(f"/api/alerts/{alert_id}/media/{picture}").status_code)
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=open_cards, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert codes == [200] * (len(clients) * len(alert_ids) * 2)
    assert len(audit_entries(services, "alert.media.viewed")) == len(codes)
    assert_chain_ok(services)
    assert _decide(clients[0], alert_ids[0]) == (200, "")  # each session may now decide
    assert _decide(clients[1], alert_ids[1]) == (200, "")


def test_an_arrest_is_never_the_outcome_of_a_false_alert(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    alert_id = raise_alert(services, bus, add_deployment(services, state="live"))
    adj.adjudicate(services, OPERATOR, alert_id, "false_alert")
    fred = as_user(app, "fred")
    arrested = fred.post(f"/api/alerts/{alert_id}/outcome", json={"outcome": "arrested"})
    assert arrested.status_code == 409
    assert "false alert: an arrest cannot be its outcome" in arrested.json()["detail"]
    assert alert_row(services, alert_id).outcome is None
    engaged = fred.post(f"/api/alerts/{alert_id}/outcome", json={"outcome": "engaged"})
    assert engaged.status_code == 200 and engaged.json()["outcome"] == "engaged"


def test_an_alert_says_where_its_deployment_is_and_whether_it_ended(
    app: FastAPI, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    fred = as_user(app, "fred")
    live = fred.get(f"/api/alerts/{alert_id}").json()
    assert (live["location_name"], live["area_description"]) == (
        "High Street",
        "the pedestrian area",
    )
    assert live["deployment_ended"] is False
    lifecycle.end(services, OPERATOR, deployment_id)
    assert fred.get(f"/api/alerts/{alert_id}").json()["deployment_ended"] is True


def test_officers_see_the_alerts_they_handled_newest_first_a_page_at_a_time(
    app: FastAPI, services: Services
) -> None:
    mine = add_deployment(services, state="live")
    now = services.clock()
    oldest, middle, newest = (
        add_alert(services, mine, raised_at=now - timedelta(hours=h)) for h in (3, 2, 1)
    )
    waiting = add_alert(services, mine, raised_at=now)
    others = add_alert(services, mine, raised_at=now)
    for alert_id in (oldest, middle, newest):
        adj.adjudicate(services, OPERATOR, alert_id, "confirmed")
    adj.adjudicate(services, OPERATOR_2, others, "false_alert")
    adj.record_outcome(services, FIELD, middle, "engaged")
    # handled in a deployment she is no longer assigned to: no longer hers to see
    gone = add_deployment(services, state="live")
    adj.adjudicate(services, OPERATOR, add_alert(services, gone), "confirmed")
    with services.transaction() as session:
        session.execute(
            delete(DeploymentAssignment).where(DeploymentAssignment.deployment_id == gone)
        )

    olive = as_user(app, "olive")
    first = olive.get("/api/alerts/handled", params={"limit": 2}).json()
    assert [a["id"] for a in first["alerts"]] == [newest, middle]
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    rest = olive.get("/api/alerts/handled", params={"limit": 2, "offset": 2}).json()
    assert [a["id"] for a in rest["alerts"]] == [oldest]
    assert waiting not in {a["id"] for a in first["alerts"] + rest["alerts"]}
    fred = as_user(app, "fred").get("/api/alerts/handled").json()
    assert [a["id"] for a in fred["alerts"]] == [middle]
    assert olive.get("/api/alerts/handled", params={"limit": 0}).status_code == 422


def test_the_alert_page_offers_the_history_and_the_sound(app: FastAPI) -> None:
    page = as_user(app, "fred").get("/alerts").text
    for testid in ("tab-handled", "handled-list", "alert-sound", "alert-location"):
        assert f'data-testid="{testid}"' in page
    for testid in ("alert-next-step", "alert-probe-retry", "alert-enrolled-retry"):
        assert f'data-testid="{testid}"' in page
