"""The node's outbox is bounded: counts make room first, alerts and reports are never dropped
to make room (a new one is refused, counted and logged by subject only), and an alert waits
with its crops sealed."""

from __future__ import annotations

import asyncio
import base64
import logging
import os

import numpy as np
import pytest

from lfr.domain import Alert, Subject
from lfr.edge import protocol as proto
from lfr.edge.node.outbox import Outbox, Outgoing
from lfr.edge.wire.alerts import alert_message, open_crop
from lfr.imaging import encode_jpeg


def _counts(n: int) -> Outgoing:
    return Outgoing(f"lfr.up.node1.counts.1.cam{n}", f"counts {n}".encode())


def _alert(alert_id: str) -> Outgoing:
    return Outgoing("lfr.up.node1.alert.1", alert_id.encode(), alert_id)


def _held_after(capacity: int, messages: list[Outgoing]) -> tuple[Outbox, list[Outgoing]]:
    async def fill() -> tuple[Outbox, list[Outgoing]]:
        outbox = Outbox(asyncio.get_running_loop(), capacity)
        for message in messages:
            outbox.put(message)
        await asyncio.sleep(0)  # let the loop run the thread-safe puts
        return outbox, outbox.held()

    return asyncio.run(fill())


def test_on_overflow_the_oldest_counts_make_room_and_no_alert_is_dropped() -> None:
    outbox, held = _held_after(3, [_counts(1), _alert("a"), _counts(2), _alert("b")])

    assert held == [_alert("a"), _counts(2), _alert("b")]
    assert (outbox.dropped, outbox.refused) == (1, 0)


def test_counts_arriving_when_alerts_fill_it_are_dropped_not_the_alerts() -> None:
    outbox, held = _held_after(2, [_alert("a"), _alert("b"), _counts(1)])

    assert held == [_alert("a"), _alert("b")]
    assert (outbox.dropped, outbox.refused) == (1, 0)


def test_when_alerts_alone_fill_it_a_new_alert_is_refused_counted_and_logged_by_subject(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "lfr.edge.node.outbox")

    outbox, held = _held_after(2, [_alert("a"), _alert("b"), _alert("secret-c")])

    assert held == [_alert("a"), _alert("b")]
    assert outbox.refused == 1
    assert "refused a message for lfr.up.node1.alert.1" in caplog.text
    assert "secret-c" not in caplog.text


def test_an_alert_waits_with_its_crops_sealed_and_no_descriptor() -> None:
    key = os.urandom(32)
    crop = np.random.default_rng(7).integers(0, 255, (40, 32, 3), dtype=np.uint8)
    alert = Alert(
        "alert-1", Subject("W-1", "Someone"), 0.3, 0.7, 0.6, "cam1", 1.0, 3, 1,
        crop, crop, "someone.jpg", probe_descriptor=np.full(128, 0.123, np.float32),
    )  # fmt: skip
    message = alert_message("node1", 1, alert, key)
    _, held = _held_after(
        4, [Outgoing(proto.alert_subject("node1", 1), proto.encode(message), alert.id)]
    )

    payload = held[0].payload
    jpeg = encode_jpeg(crop)
    assert jpeg[:64] not in payload
    assert base64.b64encode(jpeg)[:64] not in payload
    assert crop.tobytes()[:64] not in payload
    assert np.full(128, 0.123, np.float32).tobytes()[:64] not in payload
    held_message = proto.decode(type(message), payload)
    assert open_crop(key, held_message.probe_crop_sealed, "alert-1", "probe") == jpeg


def test_an_outbox_holds_at_least_one_message() -> None:
    with pytest.raises(ValueError):
        asyncio.run(_make(0))


async def _make(capacity: int) -> Outbox:
    return Outbox(asyncio.get_running_loop(), capacity)
