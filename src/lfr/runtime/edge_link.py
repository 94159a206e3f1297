"""An edge node's link to the control centre (the bus side of ``lfr edge run``): it pulls its
own commands from the durable consumer the centre made for it, hands each to the node's
handlers, acknowledges it once handled, and publishes a heartbeat every second.

Commands wait in JetStream while the node is down or cut off, so a node that comes back gets
what was sent meanwhile, in order. A malformed command is terminated (never redelivered); a
handler that fails leaves its command unacknowledged, to be delivered again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg

from lfr.errors import LfrError
from lfr.events import edge_protocol as proto
from lfr.events.edge_credentials import BusCredentials
from lfr.events.edge_protocol import Heartbeat, StartCommand, StopCommand
from lfr.events.jetstream import connect

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 1.0
FETCH_WAIT_S = 1.0


@dataclass(frozen=True, slots=True)
class NodeHandlers:
    on_start: Callable[[StartCommand], None]
    on_stop: Callable[[StopCommand], None]
    running: Callable[[], tuple[int, ...]]
    """The deployments whose cameras run now (sent with each heartbeat)."""


async def run_node_link(
    url: str, credentials: BusCredentials, handlers: NodeHandlers, stop: asyncio.Event
) -> None:
    """Until ``stop`` is set: take commands, send heartbeats."""
    client = await connect(url, credentials)
    try:
        beating = asyncio.create_task(_heartbeats(client, credentials.user, handlers, stop))
        try:
            await _take_commands(client, credentials.user, handlers, stop)
        finally:
            stop.set()
            await beating
    finally:
        await client.close()


async def _take_commands(
    client: Client, node: str, handlers: NodeHandlers, stop: asyncio.Event
) -> None:
    js = client.jetstream()
    subscription = await js.pull_subscribe_bind(proto.down_consumer(node), proto.DOWN_STREAM)
    while not stop.is_set():
        try:
            batch = await subscription.fetch(8, timeout=FETCH_WAIT_S)
        except TimeoutError:  # nothing for this node within the wait (or the link is down)
            continue
        for msg in batch:
            await _handle(msg, node, handlers)


async def _handle(msg: Msg, node: str, handlers: NodeHandlers) -> None:
    try:
        command = _command(msg, node)
    except LfrError as exc:
        log.warning("command on %s refused: %s", msg.subject, exc)
        await msg.term()
        return
    try:
        if isinstance(command, StartCommand):
            await asyncio.to_thread(handlers.on_start, command)
        else:
            await asyncio.to_thread(handlers.on_stop, command)
    except Exception:
        log.exception("command on %s failed; it will be delivered again", msg.subject)
        await msg.nak(delay=1.0)
        return
    await msg.ack()


def _command(msg: Msg, node: str) -> StartCommand | StopCommand:
    to, kind, deployment_id = proto.parse_down_subject(msg.subject)
    command: StartCommand | StopCommand
    if kind == "start":
        command = proto.decode(StartCommand, msg.data)
    elif kind == "stop":
        command = proto.decode(StopCommand, msg.data)
    else:
        raise proto.ProtocolError(f"no command {kind!r}")
    if to != node or command.deployment_id != deployment_id:
        raise proto.ProtocolError(f"{msg.subject} carries a command that is not its own")
    return command


async def _heartbeats(
    client: Client, node: str, handlers: NodeHandlers, stop: asyncio.Event
) -> None:
    subject = proto.heartbeat_subject(node)
    while not stop.is_set():
        beat = Heartbeat(node, time.time(), tuple(handlers.running()))
        try:
            await client.publish(subject, proto.encode(beat))
        except Exception:  # the link is down: the next beat tries again
            log.debug("heartbeat not sent", exc_info=True)
        with contextlib.suppress(TimeoutError):  # a second passed without a stop
            await asyncio.wait_for(stop.wait(), HEARTBEAT_EVERY_S)
