"""A node's answer that overtakes the centre's record of the start it answers
(``lfr.edge.centre.control``): the centre publishes a start, then records it, and a fast
node's "snapshot received" can arrive in between. Found by ``tests/e2e/test_edge_black_box.py``:
the report was refused for good ("never sent") and the delivery never audited. Now it is
taken again a second later and audited once the start is on record; an answer to a start that
never comes is still refused, after ``EARLY_ANSWER_TRIES``."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass, field
from typing import cast

import pytest
from nats.aio.msg import Msg

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre import commands as edge_commands
from lfr.edge.centre import control as edge_control
from lfr.edge.centre.nodes import add_node
from lfr.edge.centre.origin import REFUSED_ACTION
from lfr.edge.protocol import NodeReport
from lfr.edge.wire.mac import MAC_HEADER, message_mac
from tests.gov.conftest import ADMIN
from tests.gov.factories import audit_entries, deployment_row, live, with_clock


@dataclass
class Delivery:
    """What ``_settle`` uses of a JetStream message, and how it settled it."""

    subject: str
    data: bytes
    headers: dict[str, str] | None = None
    num_delivered: int = 1
    settled: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> Delivery:
        return self

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append("nak")

    async def term(self) -> None:
        self.settled.append("term")


def _received(services: Services) -> tuple[Services, int, Delivery]:
    """A live deployment with cam1 on node1, and node1's "received" for it, before the
    centre has recorded (or sent) any start."""
    svc, clock = with_clock(services)
    key = base64.b64decode(add_node(svc, ADMIN, "node1").key)
    deployment_id = live(svc, clock, cameras={"cam1": "rtsp://cam.example/front@node1"})
    digest = deployment_row(svc, deployment_id).snapshot_digest or ""
    report = NodeReport("node1", deployment_id, "received", digest, time.time())
    subject, payload = proto.report_subject("node1", deployment_id), proto.encode(report)
    headers = {MAC_HEADER: message_mac(key, subject, payload)}
    return svc, deployment_id, Delivery(subject, payload, headers)


def _settle(services: Services, delivery: Delivery) -> None:
    take = edge_control._take_report
    asyncio.run(edge_control._settle(services, cast(Msg, delivery), take))


def test_a_report_that_overtakes_its_start_is_taken_again_and_audited_once_recorded(
    services: Services,
) -> None:
    svc, deployment_id, delivery = _received(services)
    with pytest.raises(edge_commands.StartNotRecordedError):
        edge_control._take_report(svc, delivery.subject, delivery.data, delivery.headers)

    _settle(svc, delivery)
    assert delivery.settled == ["nak"]  # not terminated: JetStream delivers it again
    assert audit_entries(svc, "edge.snapshot.delivered") == []

    for start in edge_commands.pending_starts(svc):  # the start, published, now recorded
        edge_commands.start_sent(svc, start)
    delivery.num_delivered = 2
    _settle(svc, delivery)

    assert delivery.settled == ["nak", "ack"]
    [delivered] = audit_entries(svc, "edge.snapshot.delivered")
    assert delivered.target == f"deployment:{deployment_id}"
    assert delivered.details["node"] == "node1" and delivered.details["matches_go_live"]


def test_a_report_for_a_start_that_never_comes_is_refused_after_the_tries(
    services: Services,
) -> None:
    svc, _, delivery = _received(services)
    delivery.num_delivered = edge_control.EARLY_ANSWER_TRIES

    _settle(svc, delivery)

    assert delivery.settled == ["term"]
    assert audit_entries(svc, "edge.snapshot.delivered") == []
    [refused] = audit_entries(svc, REFUSED_ACTION)
    assert refused.details["node"] == "node1" and refused.details["kind"] == "report"


def test_a_report_without_the_nodes_tag_is_refused_at_once_and_audited(
    services: Services,
) -> None:
    svc, _, delivery = _received(services)
    delivery.headers = {MAC_HEADER: "0" * 64}

    _settle(svc, delivery)

    assert delivery.settled == ["term"]  # not taken again: no later try can make it true
    [refused] = audit_entries(svc, REFUSED_ACTION)
    assert "not sent by the node it names" in refused.details["reason"]
