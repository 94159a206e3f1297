"""The centre keeps the down stream's consumers in step with the node registry while it runs:
a node added (``lfr edge add``) gets its durable consumer within ``FOLLOW_EVERY_S``, without a
restart of ``lfr serve``, and the up streams copy from its leaf (``ensure_streams``); a node
removed loses its consumer and whatever still waited for it on the down stream (commands,
sealed snapshots), so nothing is served to it any more, even before nats-server's
configuration is reloaded without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from nats.js import JetStreamContext
from sqlalchemy import select

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.jetstream import ensure_node_consumer, ensure_streams
from lfr.store.tables import EdgeNode

log = logging.getLogger(__name__)

FOLLOW_EVERY_S = 3.0
_PREFIX = proto.down_consumer("x")[:-1]  # "down-"


@dataclass(frozen=True, slots=True)
class NodeChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]


def registered_nodes(services: Services) -> set[str]:
    with services.transaction() as session:
        return set(session.scalars(select(EdgeNode.name)))


async def served_nodes(js: JetStreamContext) -> set[str]:
    """The nodes that have a consumer on the down stream now."""
    infos = await js.consumers_info(proto.DOWN_STREAM)
    names = (info.name or "" for info in infos)
    return {name.removeprefix(_PREFIX) for name in names if name.startswith(_PREFIX)}


async def sync_node_consumers(js: JetStreamContext, services: Services) -> NodeChanges:
    """One pass: a consumer for every registered node, none for any other."""
    registered = await asyncio.to_thread(registered_nodes, services)
    served = await served_nodes(js)
    for node in sorted(registered - served):
        await ensure_node_consumer(js, node)
        log.info("edge node %s: now served", node)
    for node in sorted(served - registered):
        await _forget(js, node)
        log.info("edge node %s: removed, no longer served", node)
    if registered != served:  # the hub's streams copy from the registered nodes' leaves
        await ensure_streams(js, tuple(sorted(registered)))
    return NodeChanges(tuple(sorted(registered - served)), tuple(sorted(served - registered)))


async def _forget(js: JetStreamContext, node: str) -> None:
    await js.delete_consumer(proto.DOWN_STREAM, proto.down_consumer(node))
    await js.purge_stream(proto.DOWN_STREAM, subject=proto.down_subjects(node))


async def follow_nodes(
    js: JetStreamContext,
    services: Services,
    stop: asyncio.Event,
    every_s: float = FOLLOW_EVERY_S,
) -> None:
    """Until ``stop``: ``sync_node_consumers`` every ``every_s`` (a failure is logged and
    tried again next time). The streams' sources also follow the registry as last given to
    them, not only the consumers: a go-live may make a new node's consumer first
    (``edge_control``), and ``sync_node_consumers`` would then see no change."""
    streamed: set[str] | None = None  # the first pass sets the streams again: idempotent
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
        if stop.is_set():
            return
        try:
            registered = await asyncio.to_thread(registered_nodes, services)
            if registered != streamed:
                await ensure_streams(js, tuple(sorted(registered)))
                streamed = registered
            await sync_node_consumers(js, services)
        except Exception:
            log.exception("edge nodes not brought up to date; trying again")
