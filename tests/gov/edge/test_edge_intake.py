"""Alerts from an edge node over a real nats-server's JetStream into the governed store
(``lfr.edge.centre.intake``): stored once however often they are delivered, acknowledged
only after the commit, and picked up after a restart of the centre where it stopped."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from nats.js import JetStreamContext
from sqlalchemy.exc import OperationalError

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre import intake as edge_intake
from lfr.edge.centre.intake import Outcome, Stored, consume_alerts, handle
from lfr.edge.wire.alerts import alert_message, send_alert_up
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.records.published import get_record
from lfr.imaging import decode_jpeg
from lfr.store.sealing import open_image
from lfr.store.tables import AlertRow
from tests.gov.conftest import AUTHORISER, OPERATOR
from tests.gov.edge_bus import Bus, start_bus
from tests.gov.factories import (
    alert_row,
    assert_chain_ok,
    audit_entries,
    count,
    live,
    make_alert,
    with_clock,
)

PATIENCE_S = 30.0


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


async def _eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + PATIENCE_S
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {PATIENCE_S:.0f} s")
        await asyncio.sleep(0.02)


async def _all_acknowledged(js: JetStreamContext) -> bool:
    info = await js.consumer_info(proto.ALERTS_STREAM, proto.CENTRE_ALERTS_CONSUMER)
    return info.num_pending == 0 and info.num_ack_pending == 0


@asynccontextmanager
async def _centre(bus: Bus, services: Services, stored: list[Stored]) -> AsyncIterator[None]:
    """The centre's consumer running, as ``lfr serve --nats`` runs it; leaving stops it (a
    restart of the centre is leaving and entering again)."""
    async with bus.client(bus.centre) as (_, js):
        stop = asyncio.Event()
        task = asyncio.create_task(consume_alerts(js, services, stop, stored.append))
        try:
            yield
            await _eventually(lambda: _all_acknowledged(js), "every alert acknowledged")
        finally:
            stop.set()
            await task


def _message(deployment_id: int, alert_id: str, key: str, **changes: Any) -> proto.AlertMessage:
    return alert_message(
        "node1", deployment_id, make_alert(alert_id, **changes), base64.b64decode(key)
    )


def test_an_alert_delivered_again_is_stored_once_and_a_restarted_centre_resumes(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    first = _message(deployment_id, "edge-alert-1", bus.node.key)
    second = _message(deployment_id, "edge-alert-2", bus.node.key)
    stored: list[Stored] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            assert not (await send_alert_up(node_js, first)).duplicate
            assert (await send_alert_up(node_js, first)).duplicate  # the same Nats-Msg-Id
            # past JetStream's de-duplication (no id): the idempotent intake must drop it
            await node_js.publish(proto.alert_subject("node1", deployment_id), proto.encode(first))
            async with _centre(bus, svc, stored):
                pass
            await send_alert_up(node_js, second)  # while the centre is down
        async with _centre(bus, svc, stored):
            pass

    asyncio.run(scenario())

    assert [s.alert.id for s in stored] == ["edge-alert-1", "edge-alert-2"]
    assert count(svc, AlertRow) == 2
    row = alert_row(svc, "edge-alert-1")
    assert row.camera == "van-front" and row.subject_name == "Person 1"
    assert row.probe_crop_enc is not None
    probe = decode_jpeg(open_image(svc.cipher, row.probe_crop_enc, "alert", row.id, "probe"))
    assert probe.shape == make_alert().probe_crop.shape
    assert [e.target for e in audit_entries(svc, "alert.raised")] == [
        "alert:edge-alert-1",
        "alert:edge-alert-2",
    ]
    assert_chain_ok(svc)


def test_an_alert_is_acknowledged_only_after_the_commit(
    services: Services, bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    real_store = edge_intake.store_alert
    attempts: list[str] = []

    def database_down_once(
        services: Services, deployment_id: int, alert: Any, raised_at: Any = None
    ) -> bool:
        attempts.append(alert.id)
        if len(attempts) == 1:
            raise OperationalError("INSERT", {}, Exception("connection refused"))
        return real_store(services, deployment_id, alert, raised_at)

    monkeypatch.setattr(edge_intake, "store_alert", database_down_once)
    stored: list[Stored] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            await send_alert_up(node_js, _message(deployment_id, "edge-alert-1", bus.node.key))
        async with _centre(bus, svc, stored):
            pass

    asyncio.run(scenario())
    assert attempts == ["edge-alert-1", "edge-alert-1"]  # not acked: delivered again
    assert [s.alert.id for s in stored] == ["edge-alert-1"]
    assert count(svc, AlertRow) == 1


def test_a_forged_or_non_matching_alert_is_refused_for_good_and_nothing_is_stored(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    outcomes: list[Outcome] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            await send_alert_up(
                node_js, _message(deployment_id, "no-match", bus.node.key, distance=0.9)
            )
            wrong_key = base64.b64encode(b"k" * 32).decode()
            await send_alert_up(node_js, _message(deployment_id, "forged-crop", wrong_key))
            other = _message(deployment_id + 1, "elsewhere", bus.node.key)  # subject says 1st
            await node_js.publish(proto.alert_subject("node1", deployment_id), proto.encode(other))
        async with bus.client(bus.centre) as (_, js):
            pull = await js.pull_subscribe_bind(proto.CENTRE_ALERTS_CONSUMER, proto.ALERTS_STREAM)
            for msg in await pull.fetch(3, timeout=5):
                outcomes.append(await handle(svc, msg))
            await _eventually(lambda: _all_acknowledged(js), "every alert settled")

    asyncio.run(scenario())
    assert outcomes == [Outcome.REFUSED] * 3
    assert count(svc, AlertRow) == 0
    refused = audit_entries(svc, "alert.refused")
    assert [e.details["alert_id"] for e in refused] == ["no-match"]
    assert "distance" not in refused[0].details


def test_an_alert_raised_in_the_window_but_delivered_after_the_end_is_stored_late(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = live(svc, clock)
    clock.advance(minutes=30)
    inside, after = clock.now, clock.now + timedelta(hours=1)
    dep.end(svc, OPERATOR, deployment_id)  # the node's link was down meanwhile
    clock.advance(hours=2)
    late = replace(_message(deployment_id, "late-1", bus.node.key), raised_at=inside.timestamp())
    too_late = replace(_message(deployment_id, "late-2", bus.node.key), raised_at=after.timestamp())
    stored: list[Stored] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            await send_alert_up(node_js, late)
            await send_alert_up(node_js, too_late)  # raised after the end: refused for good
        async with _centre(bus, svc, stored):
            pass

    asyncio.run(scenario())

    assert [s.alert.id for s in stored] == ["late-1"]
    assert count(svc, AlertRow) == 1
    assert get_record(svc, AUTHORISER, deployment_id).alerts == 1
    assert_chain_ok(svc)
