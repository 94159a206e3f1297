"""The live alert stream over a real server: new alerts are pushed, nothing is lost on reconnect.
How fast is measured and printed (``test_alert_delivery_latency``), never bet on: a busy machine
delivers late, not wrongly.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

import json
import statistics
import time

import httpx
import pytest
from fastapi import FastAPI

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.events import InMemoryEventBus
from tests.api.conftest import SCRAPE_TOKEN
from tests.api.helpers import FakeEnroller, LiveServer, SseReader, WallClock, raise_alert
from tests.gov.factories import add_deployment, add_users

pytestmark = pytest.mark.backends("sqlite")

STREAM = "/api/alerts/stream"


def test_a_new_alert_is_pushed_to_a_connected_officer(
    live_server: LiveServer, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    waiting = raise_alert(services, bus, deployment_id)
    reader = SseReader(live_server.url + STREAM, live_server.token("fred")).start()
    try:
        # The open queue comes first; once it has, the stream only follows the bus, so the
        # alert raised now can reach this connection only by being pushed.
        assert [e.id for e in reader.take(1)] == [waiting]
        alert_id = raise_alert(services, bus, deployment_id)
        event = reader.next()
        assert event.id == alert_id
        data = json.loads(event.data)
        assert (data["id"], data["deployment_id"], data["status"]) == (
            alert_id,
            deployment_id,
            "pending",
        )
        assert data["subject_reference"] == "WL-0001" and "probe" not in data
    finally:
        reader.close()


def test_reconnecting_with_last_event_id_sends_every_missed_alert_once(
    live_server: LiveServer, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    headers = live_server.token("olive")
    reader = SseReader(live_server.url + STREAM, headers).start()
    first = raise_alert(services, bus, deployment_id)
    seen = reader.next().id
    assert seen == first
    reader.close()  # the officer's phone loses its connection...
    missed = [raise_alert(services, bus, deployment_id) for _ in range(3)]
    again = SseReader(live_server.url + STREAM, {**headers, "Last-Event-ID": first}).start()
    try:
        caught_up = [e.id for e in again.take(len(missed))]
        assert caught_up == missed
        later = raise_alert(services, bus, deployment_id)
        assert again.next().id == later
    finally:
        again.close()


def test_after_a_restart_the_catch_up_comes_from_the_database(
    services: Services, bus: InMemoryEventBus, web_config: WebConfig
) -> None:
    add_users(services)
    deployment_id = add_deployment(services, state="live")
    first = raise_alert(services, bus, deployment_id)
    missed = [raise_alert(services, bus, deployment_id) for _ in range(2)]
    fresh_bus = InMemoryEventBus()  # a restarted server: the history is gone
    server = LiveServer(create_app(services, fresh_bus, web_config, enroller=FakeEnroller))
    server.start()
    try:
        reader = SseReader(f"{server.url}{STREAM}?after={first}", server.token("fred")).start()
        try:
            assert {e.id for e in reader.take(len(missed))} == set(missed)
            later = raise_alert(services, fresh_bus, deployment_id)
            assert reader.next().id == later  # and nothing else was caught up before it
        finally:
            reader.close()
    finally:
        server.stop()


def test_without_an_anchor_the_stream_starts_with_the_open_queue(
    live_server: LiveServer, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    other = add_deployment(services, state="live")
    waiting = raise_alert(services, bus, deployment_id)
    raise_alert(services, bus, other)
    url = f"{live_server.url}{STREAM}?deployment_id={deployment_id}"
    reader = SseReader(url, live_server.token("fred")).start()
    try:
        assert [e.id for e in reader.take(1)] == [waiting]
        raise_alert(services, bus, other)  # another deployment's: not on this stream
        mine = raise_alert(services, bus, deployment_id)
        assert reader.next().id == mine
    finally:
        reader.close()


def test_decisions_are_pushed_as_updates(
    live_server: LiveServer, services: Services, bus: InMemoryEventBus
) -> None:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id)
    reader = SseReader(live_server.url + STREAM, live_server.token("fred")).start()
    try:
        assert [e.id for e in reader.take(1)] == [alert_id]
        headers = live_server.token("olive")
        for picture in ("probe", "enrolled"):  # a decision needs both faces seen
            httpx.get(
                f"{live_server.url}/api/alerts/{alert_id}/media/{picture}", headers=headers
            ).raise_for_status()
        httpx.post(
            f"{live_server.url}/api/alerts/{alert_id}/adjudicate",
            json={"decision": "false_alert"},
            headers=headers,
        ).raise_for_status()
        update = reader.next(kind="alert.update")
        assert update.id is None
        assert json.loads(update.data)["status"] == "false_alert"
    finally:
        reader.close()


def test_the_stream_needs_an_alert_reading_role(live_server: LiveServer) -> None:
    anonymous = httpx.get(live_server.url + STREAM)
    assert anonymous.status_code == 401
    manager = httpx.get(live_server.url + STREAM, headers=live_server.token("wendy"))
    assert manager.status_code == 403


def test_the_stream_ends_when_the_session_expires(
    live_server: LiveServer, web_clock: WallClock
) -> None:
    reader = SseReader(live_server.url + STREAM, live_server.token("fred")).start()
    try:
        web_clock.advance(13 * 3600)
        assert reader.next(kind="session.expired")
    finally:
        reader.close()


def test_the_stream_ends_on_logout_disabling_or_a_new_role(live_server: LiveServer) -> None:
    fred = live_server.token("fred")
    reader = SseReader(live_server.url + STREAM, fred).start()
    olive = SseReader(live_server.url + STREAM, live_server.token("olive")).start()
    otto = SseReader(live_server.url + STREAM, live_server.token("otto")).start()
    admin = live_server.token("ada")
    try:
        httpx.post(f"{live_server.url}/api/auth/logout", headers=fred).raise_for_status()
        assert reader.next(kind="session.expired")
        httpx.post(f"{live_server.url}/api/users/olive/disable", headers=admin).raise_for_status()
        assert olive.next(kind="session.expired")
        httpx.put(
            f"{live_server.url}/api/users/otto/role", json={"role": "oversight"}, headers=admin
        ).raise_for_status()
        assert otto.next(kind="session.expired")
    finally:
        for stream in (reader, olive, otto):
            stream.close()


def test_alert_delivery_latency(
    live_server: LiveServer, services: Services, bus: InMemoryEventBus, app: FastAPI
) -> None:
    """Store + publish -> event received by a connected client, over 50 alerts: measured and
    printed (the README quotes it), not bounded - each alert arrives once, in order, and is
    counted in the delivery metric."""
    deployment_id = add_deployment(services, state="live")
    reader = SseReader(live_server.url + STREAM, live_server.token("fred")).start()
    stored_to_received, published_to_received = [], []
    try:
        for _ in range(50):
            started = time.perf_counter()
            alert_id = raise_alert(services, bus, deployment_id)
            published = time.perf_counter()
            event = reader.next()
            assert event.id == alert_id
            stored_to_received.append(event.received_at - started)
            published_to_received.append(event.received_at - published)
    finally:
        reader.close()
    report = {
        name: (
            statistics.median(samples) * 1000,
            statistics.quantiles(samples, n=20)[18] * 1000,
        )
        for name, samples in [
            ("store+publish -> received", stored_to_received),
            ("publish -> received", published_to_received),
        ]
    }
    backend = services.db.engine.dialect.name
    for name, (p50, p95) in report.items():
        print(f"[{backend}] alert delivery {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (n=50)")
    scraper = {"Authorization": f"Bearer {SCRAPE_TOKEN}"}
    metrics = httpx.get(f"{live_server.url}/metrics", headers=scraper).text
    assert "lfr_alert_delivery_seconds_count 50.0" in metrics
