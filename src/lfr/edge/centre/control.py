"""The control centre's loops towards its nodes (run by ``edge_centre`` next to the alert
consumer): send the start and stop commands the database calls for, and take in the nodes'
snapshot reports, counts and heartbeats. A report or counts message is acknowledged only once
committed; one refused for good (malformed, unknown deployment) is terminated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre import commands as edge_commands
from lfr.edge.centre.origin import audit_refused, proven_sender, require_own_camera
from lfr.edge.centre.registry import FOLLOW_EVERY_S, registered_nodes
from lfr.edge.jetstream import ensure_node_consumer, send_command
from lfr.edge.protocol import Heartbeat, NodeReport
from lfr.edge.wire.chunks import send_start
from lfr.errors import LfrError
from lfr.events.topics import CameraCounts

log = logging.getLogger(__name__)

COMMAND_EVERY_S = 1.0
FETCH_WAIT_S = 1.0
EARLY_ANSWER_TRIES = 30
"""How often (a second apart) a node's answer to a start not yet on record is taken again
before it is refused for good: a start is recorded once published, so the node may be faster."""


async def command_nodes(js: JetStreamContext, services: Services, stop: asyncio.Event) -> None:
    """Every second: send what is due (a failure is logged and tried again next time)."""
    while not stop.is_set():
        try:
            await _send_due(js, services)
        except Exception:
            log.exception("edge commands not sent; trying again")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), COMMAND_EVERY_S)


async def _send_due(js: JetStreamContext, services: Services) -> None:
    for start in await asyncio.to_thread(edge_commands.pending_starts, services):
        await ensure_node_consumer(js, start.node)  # a node added since lfr serve started
        await send_start(js, start.node, start.command, start.msg_id)  # chunked if large
        await asyncio.to_thread(edge_commands.start_sent, services, start)
    for halt in await asyncio.to_thread(edge_commands.pending_stops, services):
        command = proto.StopCommand(halt.deployment_id, halt.reason)
        await send_command(js, halt.node, command)
        await asyncio.to_thread(edge_commands.stop_sent, services, halt)


Headers = Mapping[str, str] | None


def _take_report(
    services: Services, subject: str, payload: bytes, headers: Headers = None
) -> NodeReport:
    sender = proven_sender(services, subject, payload, headers)
    node = sender.node
    report = proto.decode(NodeReport, payload)
    if (
        sender.kind != "report"
        or sender.rest != (str(report.deployment_id),)
        or report.node != node
    ):
        raise proto.ProtocolError(f"{subject} carries a report that is not its own")
    edge_commands.take_report(services, node, report)
    return report


def _take_counts(
    services: Services, subject: str, payload: bytes, headers: Headers = None
) -> CameraCounts:
    sender = proven_sender(services, subject, payload, headers)
    node, rest = sender.node, sender.rest
    counts = proto.decode(CameraCounts, payload)
    if sender.kind != "counts" or rest[:1] != (str(counts.deployment_id),) or counts.node != node:
        raise proto.ProtocolError(f"{subject} carries counts that are not its own")
    require_own_camera(services, node, counts.deployment_id, counts.camera)
    edge_commands.take_counts(services, node, counts)
    return counts


Taker = Callable[[Services, str, bytes, Headers], object]


async def consume(
    js: JetStreamContext,
    services: Services,
    stop: asyncio.Event,
    stream: str,
    durable: str,
    take: Taker,
) -> None:
    subscription = await js.pull_subscribe_bind(durable, stream)
    try:
        while not stop.is_set():
            try:
                batch = await subscription.fetch(32, timeout=FETCH_WAIT_S)
            except TimeoutError:
                continue
            for msg in batch:
                await _settle(services, msg, take)
    finally:
        await subscription.unsubscribe()


async def _settle(services: Services, msg: Msg, take: Taker) -> None:
    try:
        await asyncio.to_thread(take, services, msg.subject, msg.data, msg.headers)
    except edge_commands.StartNotRecordedError as exc:
        if msg.metadata.num_delivered < EARLY_ANSWER_TRIES:
            await msg.nak(delay=1.0)  # the start is recorded just after it is published
            return
        await _refuse(services, msg, exc)
        return
    except LfrError as exc:
        await _refuse(services, msg, exc)
        return
    except Exception:
        log.exception("message on %s not kept; it will be delivered again", msg.subject)
        await msg.nak(delay=1.0)
        return
    await msg.ack()


async def _refuse(services: Services, msg: Msg, refusal: LfrError) -> None:
    """Refused for good: audited (node, kind, reason), then never delivered again."""
    log.warning("message on %s refused: %s", msg.subject, refusal)
    await asyncio.to_thread(audit_refused, services, msg.subject, refusal)
    await msg.term()


async def consume_reports(js: JetStreamContext, services: Services, stop: asyncio.Event) -> None:
    """Each report audited; once a node wiped a snapshot, its sealed copy leaves the bus's
    store too (the start command that carried it)."""
    loop = asyncio.get_running_loop()

    def take(services: Services, subject: str, payload: bytes, headers: Headers) -> None:
        report = _take_report(services, subject, payload, headers)
        if report.event == edge_commands.WIPED:
            start = proto.StartCommand(report.deployment_id, (), 0.0, 0.0)
            for subject in (
                proto.command_subject(report.node, start),
                proto.snapshot_subject(report.node, report.deployment_id),  # its chunks
            ):
                asyncio.run_coroutine_threadsafe(
                    js.purge_stream(proto.DOWN_STREAM, subject=subject), loop
                ).result(30)

    await consume(js, services, stop, proto.REPORTS_STREAM, proto.CENTRE_REPORTS_CONSUMER, take)


OnCounts = Callable[[CameraCounts], None]


async def consume_counts(
    js: JetStreamContext, services: Services, stop: asyncio.Event, on_counts: OnCounts
) -> None:
    """Each camera's counts kept, then ``on_counts`` (the centre shows them as its health)."""

    def take(services: Services, subject: str, payload: bytes, headers: Headers) -> None:
        on_counts(_take_counts(services, subject, payload, headers))

    await consume(js, services, stop, proto.COUNTS_STREAM, proto.CENTRE_COUNTS_CONSUMER, take)


OnBeat = Callable[[Heartbeat], None]


async def watch_heartbeats(
    client: Client, services: Services, stop: asyncio.Event, on_beat: OnBeat | None = None
) -> None:
    """Core NATS (only the latest matters): each beat updates the node's last seen."""

    async def beat(msg: Msg) -> None:
        try:
            node, _, _ = proto.parse_up_subject(msg.subject)
            heartbeat = proto.decode(Heartbeat, msg.data)
            if heartbeat.node != node:
                raise proto.ProtocolError(f"{msg.subject}: a heartbeat not its own")
            await asyncio.to_thread(edge_commands.take_heartbeat, services, node, heartbeat)
            if on_beat is not None:
                on_beat(heartbeat)
        except Exception:
            log.warning("heartbeat on %s not taken", msg.subject, exc_info=True)

    # One subscription per registered node, not ``lfr.up.*.heartbeat``: a leaf connection
    # carries a hub's interest only where the node's permissions name it, which a wildcard in
    # the node's place does not.
    subscriptions: dict[str, Subscription] = {}
    try:
        while not stop.is_set():
            nodes = await asyncio.to_thread(registered_nodes, services)
            for node in sorted(nodes - subscriptions.keys()):
                subscriptions[node] = await client.subscribe(proto.heartbeat_subject(node), cb=beat)
            for node in sorted(subscriptions.keys() - nodes):
                await subscriptions.pop(node).unsubscribe()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FOLLOW_EVERY_S)
    finally:
        for subscription in subscriptions.values():
            with contextlib.suppress(Exception):  # the connection may be closing
                await subscription.unsubscribe()
