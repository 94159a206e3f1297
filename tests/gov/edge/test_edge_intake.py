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
from nats.js.api import PubAck
from sqlalchemy.exc import OperationalError

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre import intake as edge_intake
from lfr.edge.centre.intake import Outcome, Stored, consume_alerts, handle
from lfr.edge.centre.nodes import crop_key
from lfr.edge.centre.origin import REFUSED_ACTION
from lfr.edge.wire.alerts import alert_message, send_alert_up
from lfr.edge.wire.mac import MAC_HEADER, message_mac
from lfr.governance.deployments import lifecycle as dep
from lfr.governance.records.published import get_record
from lfr.imaging import decode_jpeg
from lfr.store.sealing import open_image
from lfr.store.tables import AlertRow
from tests.gov.conftest import AUTHORISER, OPERATOR
from tests.gov.edge_bus import Bus, start_bus
from tests.gov.factories import (
    CAMERA_URL,
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


def _message(deployment_id: int, alert_id: str, crops: bytes, **changes: Any) -> proto.AlertMessage:
    """As node1 makes it, its crops sealed with ``crops`` (the key it was given for them)."""
    return alert_message("node1", deployment_id, make_alert(alert_id, **changes), crops)


def _live_on_node1(services: Services, clock: Any) -> int:
    """Live, its one camera ``van-front`` on edge node node1 (the camera the alerts name)."""
    return live(services, clock, cameras={"van-front": f"{CAMERA_URL}@node1"})


async def _up(js: JetStreamContext, bus: Bus, message: proto.AlertMessage) -> PubAck:
    """As node1 sends it: with node1's proof of origin."""
    return await send_alert_up(js, message, base64.b64decode(bus.node.key))


def test_an_alert_delivered_again_is_stored_once_and_a_restarted_centre_resumes(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = _live_on_node1(svc, clock)
    crops = crop_key(svc, "node1", deployment_id)
    first = _message(deployment_id, "edge-alert-1", crops)
    second = _message(deployment_id, "edge-alert-2", crops)
    stored: list[Stored] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            assert not (await _up(node_js, bus, first)).duplicate
            assert (await _up(node_js, bus, first)).duplicate  # the same Nats-Msg-Id
            # past JetStream's de-duplication (no id): the idempotent intake must drop it
            subject, payload = proto.alert_subject("node1", deployment_id), proto.encode(first)
            mac = message_mac(base64.b64decode(bus.node.key), subject, payload)
            await node_js.publish(subject, payload, headers={MAC_HEADER: mac})
            async with _centre(bus, svc, stored):
                pass
            await _up(node_js, bus, second)  # while the centre is down
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
    deployment_id = _live_on_node1(svc, clock)
    crops = crop_key(svc, "node1", deployment_id)
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
            await _up(node_js, bus, _message(deployment_id, "edge-alert-1", crops))
        async with _centre(bus, svc, stored):
            pass

    asyncio.run(scenario())
    assert attempts == ["edge-alert-1", "edge-alert-1"]  # not acked: delivered again
    assert [s.alert.id for s in stored] == ["edge-alert-1"]
    assert count(svc, AlertRow) == 1


def test_a_forged_or_non_matching_alert_is_refused_for_good_audited_and_nothing_is_stored(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = _live_on_node1(svc, clock)
    crops = crop_key(svc, "node1", deployment_id)
    node1_key = base64.b64decode(bus.node.key)
    other_key = b"k" * 32
    subject = proto.alert_subject("node1", deployment_id)
    outcomes: list[Outcome] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            await _up(node_js, bus, _message(deployment_id, "no-match", crops, distance=0.9))
            wrong_crops = _message(
                deployment_id,
                "forged-crop",
                node1_key,  # the node's own key: not the crops' key
            )
            await _up(node_js, bus, wrong_crops)
            other = _message(deployment_id + 1, "elsewhere", crops)  # subject says 1st
            await node_js.publish(
                subject,
                proto.encode(other),
                headers={MAC_HEADER: message_mac(node1_key, subject, proto.encode(other))},
            )
            # (A) of issue 21: another node's camera, and no crops at all
            await _up(node_js, bus, _message(deployment_id, "cam2", crops, camera="cam2"))
            no_crops = replace(
                _message(deployment_id, "no-crops", crops),
                probe_crop_sealed="",
                enrolled_crop_sealed="",
            )
            await _up(node_js, bus, no_crops)
            # with no tag, and with a tag another key made (what a leaf's store could inject)
            untagged = proto.encode(_message(deployment_id, "untagged", crops))
            await node_js.publish(subject, untagged)
            forged = proto.encode(_message(deployment_id, "forged-tag", crops))
            await node_js.publish(
                subject, forged, headers={MAC_HEADER: message_mac(other_key, subject, forged)}
            )
        async with bus.client(bus.centre) as (_, js):
            pull = await js.pull_subscribe_bind(proto.CENTRE_ALERTS_CONSUMER, proto.ALERTS_STREAM)
            for msg in await pull.fetch(7, timeout=5):
                outcomes.append(await handle(svc, msg))
            await _eventually(lambda: _all_acknowledged(js), "every alert settled")

    asyncio.run(scenario())
    assert outcomes == [Outcome.REFUSED] * 7
    assert count(svc, AlertRow) == 0
    refused = audit_entries(svc, "alert.refused")
    assert [e.details["alert_id"] for e in refused] == ["no-match"]
    assert "distance" not in refused[0].details
    edge_refusals = audit_entries(svc, REFUSED_ACTION)
    reasons = [e.details["reason"] for e in edge_refusals]
    assert len(reasons) == 6
    assert {e.target for e in edge_refusals} == {"edge:node1"}
    assert "crop does not open" in reasons[0]
    assert "is not its own" in reasons[1]
    assert "does not run on node1" in reasons[2]
    assert "lacks a face crop" in reasons[3]
    assert "carries no Lfr-Mac tag" in reasons[4]
    assert "not sent by the node it names" in reasons[5]
    for entry in edge_refusals:  # the reason and the node, never the message's content
        assert "WL-0001" not in str(entry.details) and "Person 1" not in str(entry.details)
    assert_chain_ok(svc)


def test_an_alert_raised_in_the_window_but_delivered_after_the_end_is_stored_late(
    services: Services, bus: Bus
) -> None:
    svc, clock = with_clock(services)
    deployment_id = _live_on_node1(svc, clock)
    crops = crop_key(svc, "node1", deployment_id)
    clock.advance(minutes=30)
    inside, after = clock.now, clock.now + timedelta(hours=1)
    dep.end(svc, OPERATOR, deployment_id)  # the node's link was down meanwhile
    clock.advance(hours=2)
    late = replace(_message(deployment_id, "late-1", crops), raised_at=inside.timestamp())
    too_late = replace(_message(deployment_id, "late-2", crops), raised_at=after.timestamp())
    stored: list[Stored] = []

    async def scenario() -> None:
        async with bus.client(bus.node) as (_, node_js):
            await _up(node_js, bus, late)
            await _up(node_js, bus, too_late)  # raised after the end: refused for good
        async with _centre(bus, svc, stored):
            pass

    asyncio.run(scenario())

    assert [s.alert.id for s in stored] == ["late-1"]
    assert count(svc, AlertRow) == 1
    assert get_record(svc, AUTHORISER, deployment_id).alerts == 1
    assert_chain_ok(svc)
