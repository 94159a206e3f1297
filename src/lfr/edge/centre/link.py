"""The control centre's link to its edge nodes (``lfr serve --nats URL``): on a thread of its
own with its own event loop, it sets up the streams, a down consumer per registered node
(kept in step with the registry while it runs: ``edge_registry``) and the centre's alert
consumer, then stores the nodes' alerts (``edge_intake``) and announces each
new one on the in-process bus, where the live alert stream and ``/metrics`` take it as they
take an in-process camera's; behind the intake, the eraser (``edge.centre.eraser``) removes each
settled message from the node's leaf and the hub.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from lfr.access.services import Services
from lfr.edge.centre.control import command_nodes, consume_counts, consume_reports, watch_heartbeats
from lfr.edge.centre.eraser import ensure_eraser_consumers, erase_all
from lfr.edge.centre.intake import Stored, consume_alerts
from lfr.edge.centre.registry import (
    FOLLOW_EVERY_S,
    follow_nodes,
    registered_nodes,
    sync_node_consumers,
)
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.jetstream import connect, ensure_centre_consumers, ensure_streams
from lfr.edge.protocol import Heartbeat
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.events.health import node_camera_health
from lfr.events.topics import CameraCounts

log = logging.getLogger(__name__)

STOP_WAIT_S = 10.0


class EdgeCentre:
    def __init__(
        self,
        services: Services,
        bus: EventBus,
        url: str,
        credentials: BusCredentials,
        follow_nodes_every_s: float = FOLLOW_EVERY_S,
    ) -> None:
        self._services = services
        self._follow_every_s = follow_nodes_every_s
        self._bus = bus
        self._url = url
        self._credentials = credentials
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    def start(self, timeout: float = 30.0) -> None:
        """Connect and set up; raises what went wrong if it cannot within ``timeout``."""
        self._thread = threading.Thread(target=self._run, name="edge-centre", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"no connection to NATS at {self._url} within {timeout:g} s")
        if self._failure is not None:
            raise self._failure

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(STOP_WAIT_S)
        self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            if not isinstance(exc, Exception):
                raise

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        client = await connect(self._url, self._credentials, reconnect=True)
        try:
            js = client.jetstream()
            nodes = await asyncio.to_thread(registered_nodes, self._services)
            await ensure_streams(js, tuple(sorted(nodes)))
            await ensure_centre_consumers(js)
            await ensure_eraser_consumers(js)
            await sync_node_consumers(js, self._services)
            self._ready.set()
            stop, services = self._stop, self._services
            await asyncio.gather(
                consume_alerts(js, services, stop, self._announce),
                command_nodes(js, services, stop),
                consume_reports(js, services, stop),
                consume_counts(js, services, stop, self._counts),
                watch_heartbeats(client, services, stop, self._beat),
                follow_nodes(js, services, stop, self._follow_every_s),
                erase_all(client, js, stop),
            )
        finally:
            await client.close()

    def _beat(self, beat: Heartbeat) -> None:
        """On the in-process bus, where the health board shows each node online or not."""
        self._bus.publish(
            topics.NODE,
            {
                "node": beat.node,
                "sent_at": beat.sent_at,
                "outbox_dropped": beat.outbox_dropped,
                "outbox_refused": beat.outbox_refused,
            },
        )

    def _counts(self, counts: CameraCounts) -> None:
        """A node camera's health, as an in-process camera publishes its own."""
        self._bus.publish(topics.CAMERA_HEALTH, node_camera_health(counts))

    def _announce(self, stored: Stored) -> None:
        topics.announce_stored(self._bus, stored.deployment_id, stored.alert)
