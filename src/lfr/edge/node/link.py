"""An edge node's link to the control centre (the bus side of ``lfr edge run``): it pulls its
own commands from the durable consumer the centre made for it, hands each to the node's
handlers, acknowledges it once handled, and publishes a heartbeat every second.

Commands wait in JetStream while the node is down or cut off, so a node that comes back gets
what was sent meanwhile, in order. A malformed command, or one its handler refuses for good
(``LfrError``: a snapshot missing a chunk or altered), is terminated (never redelivered; the
centre sends a start again when the node's heartbeats do not name it); a handler that fails
otherwise leaves its command unacknowledged, to be delivered again.
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
from nats.errors import Error as NatsError
from nats.js import JetStreamContext

from lfr.edge import protocol as proto
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.jetstream import connect
from lfr.edge.protocol import Heartbeat, SnapshotChunk, StartCommand, StopCommand
from lfr.errors import LfrError

log = logging.getLogger(__name__)

HEARTBEAT_EVERY_S = 1.0
FETCH_WAIT_S = 1.0
LINK_CHECK_EVERY_S = 2.0
"""How often the node asks the hub for its own consumer: the answer (or none) is the link."""

Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class NodeHandlers:
    on_start: Callable[[StartCommand], None]
    on_stop: Callable[[StopCommand], None]
    running: Callable[[], tuple[int, ...]]
    """The deployments whose cameras run now (sent with each heartbeat)."""
    outbox_losses: Callable[[], tuple[int, int]] = lambda: (0, 0)
    """(dropped, refused) so far by the node's outbox (sent with each heartbeat)."""
    on_chunk: Callable[[SnapshotChunk], None] = lambda _: None
    """A piece of a large sealed snapshot, sent before its start (``edge_chunks``)."""


Down = StartCommand | StopCommand | SnapshotChunk


async def run_node_link(
    url: str,
    credentials: BusCredentials,
    handlers: NodeHandlers,
    stop: asyncio.Event,
    hub_domain: str | None = None,
    say: Say = log.info,
) -> None:
    """Until ``stop`` is set: take commands, send heartbeats, and ``say`` when the link to the
    centre is lost and when it is back. ``hub_domain``: the hub's JetStream domain when ``url``
    is the node's own leaf server."""
    client = await connect(url, credentials)
    try:
        js = client.jetstream(domain=hub_domain)
        beating = asyncio.create_task(_heartbeats(client, credentials.user, handlers, stop))
        watching = asyncio.create_task(_watch_link(js, credentials.user, stop, say))
        try:
            await _take_commands(js, credentials.user, handlers, stop)
        finally:
            stop.set()
            await beating
            await watching
    finally:
        await client.close()


async def _take_commands(
    js: JetStreamContext, node: str, handlers: NodeHandlers, stop: asyncio.Event
) -> None:
    subscription = await js.pull_subscribe_bind(proto.down_consumer(node), proto.DOWN_STREAM)
    while not stop.is_set():
        try:
            for msg in await subscription.fetch(8, timeout=FETCH_WAIT_S):
                await _handle(msg, node, handlers)
        except TimeoutError:  # nothing for this node within the wait (or the link is down)
            continue
        except NatsError as exc:  # the hub unreachable from the node's leaf, or reconnecting;
            # an unacknowledged command is delivered again
            log.info("no commands from the centre for now (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), FETCH_WAIT_S)
            continue


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
        elif isinstance(command, SnapshotChunk):
            handlers.on_chunk(command)
        else:
            await asyncio.to_thread(handlers.on_stop, command)
    except LfrError as exc:  # e.g. a snapshot missing a chunk: delivered again, still refused
        log.error("command on %s refused: %s", msg.subject, exc)
        await msg.term()
        return
    except Exception:
        log.exception("command on %s failed; it will be delivered again", msg.subject)
        await msg.nak(delay=1.0)
        return
    await msg.ack()


def _command(msg: Msg, node: str) -> Down:
    to, kind, deployment_id = proto.parse_down_subject(msg.subject)
    command: Down
    if kind == "start":
        command = proto.decode(StartCommand, msg.data)
    elif kind == "stop":
        command = proto.decode(StopCommand, msg.data)
    elif kind == "snapshot":
        command = proto.decode(SnapshotChunk, msg.data)
    else:
        raise proto.ProtocolError(f"no command {kind!r}")
    if to != node or command.deployment_id != deployment_id:
        raise proto.ProtocolError(f"{msg.subject} carries a command that is not its own")
    return command


class LinkWatch:
    """Whether the centre's hub answers, said once per change: "lost" with the reason, and
    "back" with how long it was gone."""

    def __init__(self, say: Say) -> None:
        self._say = say
        self._lost_at: float | None = None
        self._known = False

    def answered(self) -> None:
        if self._lost_at is not None:
            self._say(f"link to the centre back after {time.monotonic() - self._lost_at:.0f} s")
        elif not self._known:
            self._say("link to the centre up")
        self._lost_at, self._known = None, True

    def unanswered(self, reason: str) -> None:
        if self._lost_at is None:
            self._lost_at = time.monotonic()
            self._say(
                f"link to the centre lost ({reason}): alerts and counts wait until it is back"
            )
        self._known = True


async def _watch_link(js: JetStreamContext, node: str, stop: asyncio.Event, say: Say) -> None:
    watch = LinkWatch(say)
    consumer = proto.down_consumer(node)
    while not stop.is_set():
        try:
            await js.consumer_info(proto.DOWN_STREAM, consumer, timeout=LINK_CHECK_EVERY_S)
            watch.answered()
        except (TimeoutError, NatsError) as exc:
            watch.unanswered(type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), LINK_CHECK_EVERY_S)


async def _heartbeats(
    client: Client, node: str, handlers: NodeHandlers, stop: asyncio.Event
) -> None:
    subject = proto.heartbeat_subject(node)
    while not stop.is_set():
        dropped, refused = handlers.outbox_losses()
        beat = Heartbeat(node, time.time(), tuple(handlers.running()), dropped, refused)
        try:
            await client.publish(subject, proto.encode(beat))
        except Exception:  # the link is down: the next beat tries again
            log.debug("heartbeat not sent", exc_info=True)
        with contextlib.suppress(TimeoutError):  # a second passed without a stop
            await asyncio.wait_for(stop.wait(), HEARTBEAT_EVERY_S)
