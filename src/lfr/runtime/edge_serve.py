"""One edge node process (``lfr edge run``): the link to the centre (commands, heartbeats),
the outbox (alerts, reports, counts) and the cameras, until ``stop`` is set; then the cameras
stop, their snapshots are wiped and reported, and what is queued is sent if the link allows."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from pathlib import Path

from lfr.events.edge_credentials import BusCredentials
from lfr.events.jetstream import connect
from lfr.runtime.deployment import EngineFactory
from lfr.runtime.edge_alert_log import logging_alert_ids
from lfr.runtime.edge_link import NodeHandlers, run_node_link
from lfr.runtime.edge_node import EdgeNodeRuntime
from lfr.runtime.edge_outbox import Outbox
from lfr.runtime.sources import SourceOpener, open_live

log = logging.getLogger(__name__)

DRAIN_S = 10.0


async def serve_node(
    url: str,
    credentials: BusCredentials,
    engine_factory: EngineFactory,
    stop: threading.Event,
    open_source: SourceOpener = open_live,
    counts_every_s: float = 5.0,
    alert_id_log: Path | None = None,
) -> EdgeNodeRuntime:
    """Run the node until ``stop`` (set from any thread, e.g. a signal handler).
    ``alert_id_log``: tests only (``lfr.runtime.edge_alert_log``)."""
    loop = asyncio.get_running_loop()
    outbox = Outbox(loop)
    node = EdgeNodeRuntime(
        credentials.user,
        base64.b64decode(credentials.key),
        engine_factory,
        outbox.put if alert_id_log is None else logging_alert_ids(outbox.put, alert_id_log),
        open_source,
        counts_every_s,
    )
    handlers = NodeHandlers(node.on_start, node.on_stop, node.running)
    link_stop, outbox_stop = asyncio.Event(), asyncio.Event()
    client = await connect(url, credentials)
    try:
        sending = asyncio.create_task(outbox.send_all(client.jetstream(), outbox_stop))
        link = asyncio.create_task(run_node_link(url, credentials, handlers, link_stop))
        await asyncio.to_thread(stop.wait)
        link_stop.set()
        await link
        await asyncio.to_thread(node.stop_all)  # the wipes are queued
        await outbox.drain(DRAIN_S)
        outbox_stop.set()
        await sending
    finally:
        await client.close()
    return node
