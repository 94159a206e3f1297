"""One edge node process (``lfr edge run``): the link to the centre (commands, heartbeats),
the outbox (alerts, reports, counts) and the cameras, until ``stop`` is set; then the cameras
stop, their snapshots are wiped and reported, and what is queued is sent if the link allows."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import threading
from collections.abc import Callable

from nats.aio.client import Client

from lfr.edge import protocol as proto
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.jetstream import connect
from lfr.edge.leaf import HUB_DOMAIN, ensure_leaf_streams, on_own_leaf
from lfr.edge.node.link import NodeHandlers, run_node_link
from lfr.edge.node.outbox import Outbox, Outgoing
from lfr.edge.node.runtime import EdgeNodeRuntime
from lfr.runtime.deployment import EngineFactory
from lfr.runtime.sources import SourceOpener, open_live

log = logging.getLogger(__name__)

DRAIN_S = 10.0
LINK_STOP_S = 5.0


async def serve_node(
    url: str,
    credentials: BusCredentials,
    engine_factory: EngineFactory,
    stop: threading.Event,
    open_source: SourceOpener = open_live,
    counts_every_s: float = 5.0,
    say: Callable[[str], None] = log.info,
) -> EdgeNodeRuntime:
    """Run the node until ``stop`` (set from any thread, e.g. a signal handler).
    ``say``: where the node tells its operator how it is connected and each alert it raised
    (its id only: the match itself travels sealed)."""
    loop = asyncio.get_running_loop()
    outbox = Outbox(loop)
    node = EdgeNodeRuntime(
        credentials.user,
        base64.b64decode(credentials.key),
        engine_factory,
        _saying_alerts(outbox.put, say),
        open_source,
        counts_every_s,
    )
    handlers = NodeHandlers(
        node.on_start,
        node.on_stop,
        node.running,
        lambda: (outbox.dropped, outbox.refused),
        node.on_chunk,
    )
    link_stop, outbox_stop = asyncio.Event(), asyncio.Event()
    stopping = asyncio.create_task(asyncio.to_thread(stop.wait))
    try:
        client = await _connect_unless_stopped(url, credentials, stopping)
    except BaseException:
        stop.set()  # releases the thread waiting on it
        raise
    if client is None:  # stopped before the bus answered: nothing was started
        return node
    try:
        hub_domain = await _hub_domain(client, credentials.user, say)
        sending = asyncio.create_task(outbox.send_all(client.jetstream(), outbox_stop))
        link = asyncio.create_task(
            run_node_link(url, credentials, handlers, link_stop, hub_domain, say)
        )
        await asyncio.wait({link, stopping}, return_when=asyncio.FIRST_COMPLETED)
        link_stop.set()
        stop.set()  # a link that failed stops the node rather than leave it deaf
        await stopping
        link_failure = await _failure_of(link)
        await asyncio.to_thread(node.stop_all)  # the wipes are queued
        await outbox.drain(DRAIN_S)
        outbox_stop.set()
        await sending
    finally:
        await client.close()
    if link_failure is not None:
        raise link_failure
    return node


async def _connect_unless_stopped(
    url: str, credentials: BusCredentials, stopping: asyncio.Task[bool]
) -> Client | None:
    """The connection, or None when the node is told to stop first (a first connection is
    retried for minutes: a stop must not wait for that)."""
    connecting = asyncio.create_task(connect(url, credentials))
    await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if connecting.done():
        return connecting.result()
    connecting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await connecting
    return None


async def _failure_of(task: asyncio.Task[None]) -> BaseException | None:
    """What ended the link, once it is told to stop (cancelled if it does not within
    ``LINK_STOP_S``: it may still be trying a first connection)."""
    await asyncio.wait({task}, timeout=LINK_STOP_S)
    if not task.done():
        task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        return None
    except Exception as exc:  # raised once the cameras are stopped and their wipes queued
        log.error("the link to the centre failed: %s", exc)
        return exc
    return None


async def _hub_domain(client: Client, node: str, say: Callable[[str], None]) -> str | None:
    """On the node's own leaf server, its streams keep what it sends until the hub has copied
    it, and the hub's streams are reached through the hub's domain; connected to the hub
    directly, the outbox (in memory) is all there is."""
    if not on_own_leaf(client, node):
        say("connected to the hub directly: what waits for a lost link is held in memory only")
        return None
    await ensure_leaf_streams(client.jetstream(), node)
    say("on this machine's leaf server: what it sends is kept there until the hub has it")
    return HUB_DOMAIN


Send = Callable[[Outgoing], None]


def _saying_alerts(send: Send, say: Callable[[str], None]) -> Send:
    """``send``, which first tells the operator of each alert it is given: said as it enters
    the outbox, before a link cut or a crash can lose it, so that what a node raised can be
    compared with what the centre stored."""

    def send_and_say(message: Outgoing) -> None:
        if message.msg_id and proto.parse_up_subject(message.subject)[1] == "alert":
            say(f"alert {message.msg_id} raised")
        send(message)

    return send_and_say
