"""A real nats-server set up for one edge node, "node1", and the control centre: the streams
and consumers made, as ``lfr serve --nats`` makes them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from nats.aio.client import Client
from nats.js import JetStreamContext

from lfr.access.services import Services
from lfr.edge.centre.nodes import add_node, nodes_for_config
from lfr.edge.credentials.files import BusCredentials, centre_credentials
from lfr.edge.credentials.passwords import bcrypt_hash
from lfr.edge.hub_config import BusUser, ServerPlan, render_config
from lfr.edge.jetstream import (
    connect,
    ensure_centre_consumers,
    ensure_node_consumer,
    ensure_streams,
)
from lfr.store.keys import key_dir
from tests.gov.conftest import ADMIN
from tests.nats_server import NatsServer, free_port


class Bus:
    """A nats-server configured for one node, the centre's and the node's credentials."""

    def __init__(self, server: NatsServer, centre: BusCredentials, node: BusCredentials) -> None:
        self.server = server
        self.centre = centre
        self.node = node

    @asynccontextmanager
    async def client(self, who: BusCredentials) -> AsyncIterator[tuple[Client, JetStreamContext]]:
        client = await connect(self.server.url, who)
        try:
            yield client, client.jetstream()
        finally:
            await client.close()


def start_server(services: Services, tmp_path: Path, leaf_port: int | None = None) -> NatsServer:
    """A nats-server on a free port, configured (as ``lfr nats config`` does) for the centre
    and every node registered in ``services`` (and leaf servers on ``leaf_port``); started,
    the caller stops it."""
    centre = centre_credentials(key_dir(services.data_dir))
    port = free_port()
    plan = ServerPlan(
        store_dir=tmp_path / "jetstream",
        centre=BusUser(centre.user, bcrypt_hash(centre.password)),
        nodes=nodes_for_config(services, ADMIN, "nats.conf"),
        host="127.0.0.1",
        port=port,
        leaf_port=leaf_port,
    )
    (tmp_path / "nats.conf").write_text(render_config(plan))
    server = NatsServer(tmp_path / "nats.conf", port, tmp_path / "nats.log")
    server.start()
    return server


def start_bus(services: Services, tmp_path: Path) -> Bus:
    """Started; the caller stops ``bus.server``."""
    node = add_node(services, ADMIN, "node1")
    centre = centre_credentials(key_dir(services.data_dir))  # where lfr serve reads it
    running = Bus(start_server(services, tmp_path), centre, node)
    asyncio.run(_set_up_streams(running))
    return running


async def _set_up_streams(bus: Bus) -> None:
    async with bus.client(bus.centre) as (_, js):
        await ensure_streams(js)
        await ensure_centre_consumers(js)
        await ensure_node_consumer(js, "node1")
