"""A node on its own JetStream leaf server (``lfr nats leaf-config``) under a real hub
(``lfr nats config``'s permissions): what the node publishes is kept on the leaf, encrypted, and
copied to the hub's streams; with the hub down and then the leaf server killed, nothing is lost
and nothing arrives twice once both are back; commands still come down through the hub's domain;
and a leaf cannot pass anything off as another node's."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NotFoundError, ServiceUnavailableError

from lfr.edge import protocol as proto
from lfr.edge.centre.eraser import ensure_eraser_consumers, erase_settled
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.credentials.passwords import bcrypt_hash, new_password
from lfr.edge.hub_config import BusUser, ServerPlan, render_config
from lfr.edge.jetstream import (
    connect,
    ensure_centre_consumers,
    ensure_node_consumer,
    ensure_streams,
    send_command,
)
from lfr.edge.leaf import (
    HUB_DOMAIN,
    LEAF_STREAMS,
    LeafPlan,
    ensure_leaf_streams,
    on_own_leaf,
    render_leaf_config,
)
from lfr.edge.protocol import StopCommand
from tests.nats_server import NatsServer, free_port
from tests.waiting import wait_until

MARKER = b"sealed-crops-stand-in-0123456789"
"""A payload to look for in the leaf's store files: found there, the store is not encrypted."""


@dataclass
class Fleet:
    hub: NatsServer
    leaf: NatsServer
    centre: BusCredentials
    node1: BusCredentials
    leaf_store: Path


def _credentials(user: str) -> BusCredentials:
    return BusCredentials(user, new_password(), base64.b64encode(os.urandom(32)).decode())


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    centre, node1, node2 = _credentials("centre"), _credentials("node1"), _credentials("node2")
    hub_port, leaf_port, local_port = free_port(), free_port(), free_port()
    hub_plan = ServerPlan(
        store_dir=tmp_path / "hub-store",
        centre=BusUser(centre.user, bcrypt_hash(centre.password)),
        nodes=[BusUser(n.user, bcrypt_hash(n.password)) for n in (node1, node2)],
        host="127.0.0.1",
        port=hub_port,
        leaf_port=leaf_port,
    )
    (tmp_path / "hub.conf").write_text(render_config(hub_plan))
    leaf_plan = LeafPlan(
        node="node1",
        password=node1.password,
        hub_url=f"nats-leaf://127.0.0.1:{leaf_port}",
        store_dir=tmp_path / "leaf-store",
        port=local_port,
    )
    (tmp_path / "leaf.conf").write_text(render_leaf_config(leaf_plan))
    hub = NatsServer(tmp_path / "hub.conf", hub_port, tmp_path / "hub.log")
    leaf = NatsServer(tmp_path / "leaf.conf", local_port, tmp_path / "leaf.log")
    hub.start()
    leaf.start()
    yield Fleet(hub, leaf, centre, node1, tmp_path / "leaf-store")
    leaf.stop()
    hub.stop()


async def _hub_alert_ids(fleet: Fleet) -> list[str]:
    """The Nats-Msg-Id of every message in the hub's alert stream, in order."""
    client = await connect(fleet.hub.url, fleet.centre, reconnect=False)
    try:
        js = client.jetstream()
        info = await js.stream_info(proto.ALERTS_STREAM)
        ids: list[str] = []
        if not info.state.messages:
            return ids
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            message = await js.get_msg(proto.ALERTS_STREAM, seq)
            ids.append((message.headers or {}).get("Nats-Msg-Id", ""))
        return ids
    finally:
        await client.close()


def _hub_has(fleet: Fleet, count: int) -> bool:
    try:
        return len(asyncio.run(_hub_alert_ids(fleet))) >= count
    except (OSError, NotFoundError, NatsTimeoutError):
        return False


async def _set_up_hub(fleet: Fleet) -> None:
    client = await connect(fleet.hub.url, fleet.centre)
    js = client.jetstream()
    await ensure_streams(js, ("node1", "node2"))
    await ensure_node_consumer(js, "node1")
    await ensure_node_consumer(js, "node2")
    await send_command(js, "node1", StopCommand(7, "ended"))
    await send_command(js, "node2", StopCommand(8, "ended"))
    await client.close()


async def _publish_alert(fleet: Fleet, alert_id: str) -> str:
    """As the node does: on its own leaf; the stream that acknowledged it."""
    client = await connect(fleet.leaf.url, fleet.node1, reconnect=False)
    try:
        assert on_own_leaf(client, "node1")
        js = client.jetstream()
        await ensure_leaf_streams(js, "node1")
        ack = await js.publish(
            proto.alert_subject("node1", 7), MARKER, headers={"Nats-Msg-Id": alert_id}
        )
        return ack.stream
    finally:
        await client.close()


async def _take_commands(fleet: Fleet) -> tuple[list[str], bool]:
    """node1's commands through the hub's domain, and whether node2's could be read too."""
    client = await connect(fleet.leaf.url, fleet.node1, reconnect=False)
    try:
        hub = client.jetstream(domain=HUB_DOMAIN)
        own = await hub.pull_subscribe_bind(proto.down_consumer("node1"), proto.DOWN_STREAM)
        taken = await own.fetch(1, timeout=5)
        for message in taken:
            await message.ack()
        other = await hub.pull_subscribe_bind(proto.down_consumer("node2"), proto.DOWN_STREAM)
        try:
            await other.fetch(1, timeout=1)
            read_node2s = True
        except (NatsTimeoutError, ServiceUnavailableError):  # refused: no answer, or no one
            read_node2s = False
        # A leaf passing something off as node2's: nothing on the leaf stores it, and the hub
        # does not let it in.
        await client.publish(proto.alert_subject("node2", 8), MARKER)
        await client.flush()
        return [m.subject for m in taken], read_node2s
    finally:
        await client.close()


async def _on_own_leaf_at_the_hub(fleet: Fleet) -> bool:
    client = await connect(fleet.hub.url, fleet.node1, reconnect=False)
    try:
        return on_own_leaf(client, "node1")
    finally:
        await client.close()


def test_alerts_kept_on_the_leaf_reach_the_hub_once_after_an_outage_and_a_leaf_crash(
    fleet: Fleet,
) -> None:
    asyncio.run(_set_up_hub(fleet))
    assert not asyncio.run(_on_own_leaf_at_the_hub(fleet))  # connected directly, it knows
    assert asyncio.run(_publish_alert(fleet, "alert-1")) == LEAF_STREAMS[proto.ALERTS_STREAM]
    wait_until(lambda: _hub_has(fleet, 1), what="alert-1 copied to the hub")

    fleet.hub.stop()  # the link is down: the node still gets its alert stored, on its leaf
    assert asyncio.run(_publish_alert(fleet, "alert-2")) == LEAF_STREAMS[proto.ALERTS_STREAM]
    fleet.leaf.kill()  # and then the edge machine loses power
    fleet.leaf.start()
    fleet.hub.start()
    wait_until(lambda: _hub_has(fleet, 2), what="alert-2 copied once the hub is back")
    assert asyncio.run(_publish_alert(fleet, "alert-2")) == LEAF_STREAMS[proto.ALERTS_STREAM]

    subjects, read_node2s = asyncio.run(_take_commands(fleet))
    assert subjects == [proto.command_subject("node1", StopCommand(7, "ended"))]
    assert not read_node2s
    wait_until(lambda: _hub_has(fleet, 2), what="the hub's stream")
    assert asyncio.run(_hub_alert_ids(fleet)) == ["alert-1", "alert-2"]  # once each, in order
    fleet.hub.stop()  # cut off again, the leaf up all along this time
    assert asyncio.run(_publish_alert(fleet, "alert-3")) == LEAF_STREAMS[proto.ALERTS_STREAM]
    fleet.hub.start()
    wait_until(lambda: _hub_has(fleet, 3), what="alert-3 copied once the hub is back")
    assert asyncio.run(_hub_alert_ids(fleet)) == ["alert-1", "alert-2", "alert-3"]
    stored = b"".join(p.read_bytes() for p in fleet.leaf_store.rglob("*") if p.is_file())
    assert stored, "the leaf kept nothing on its disk"
    assert MARKER not in stored  # encrypted at rest


async def _leaf_messages(fleet: Fleet) -> int:
    client = await connect(fleet.leaf.url, fleet.node1, reconnect=False)
    try:
        js = client.jetstream()
        total = 0
        for stream in LEAF_STREAMS.values():
            total += (await js.stream_info(stream)).state.messages
        return total
    finally:
        await client.close()


async def _settle_and_erase(fleet: Fleet, settle: int, expect_left: int) -> tuple[int, int]:
    """As the centre: its alert consumer settles ``settle`` alerts, the eraser runs until the
    leaf holds ``expect_left`` messages (or its patience ends); the leaf's and the hub's
    message counts then."""
    client = await connect(fleet.hub.url, fleet.centre, reconnect=False)
    try:
        js = client.jetstream()
        intake = await js.pull_subscribe_bind(proto.CENTRE_ALERTS_CONSUMER, proto.ALERTS_STREAM)
        if settle:
            for message in await intake.fetch(settle, timeout=5):
                await message.ack()
        stop = asyncio.Event()
        eraser = asyncio.ensure_future(erase_settled(client, js, proto.ALERTS_STREAM, stop))
        deadline = asyncio.get_running_loop().time() + 30
        while await _leaf_messages(fleet) != expect_left:
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        stop.set()
        await eraser
        hub = (await js.stream_info(proto.ALERTS_STREAM)).state.messages
        return await _leaf_messages(fleet), hub
    finally:
        await client.close()


async def _set_up_centre(fleet: Fleet) -> None:
    client = await connect(fleet.hub.url, fleet.centre)
    js = client.jetstream()
    await ensure_streams(js, ("node1", "node2"))
    await ensure_centre_consumers(js)
    await ensure_eraser_consumers(js)
    await client.close()


def test_what_the_centre_has_settled_is_erased_from_the_leaf_and_the_hub_and_nothing_else(
    fleet: Fleet,
) -> None:
    asyncio.run(_set_up_centre(fleet))
    for alert_id in ("alert-1", "alert-2", "alert-3"):
        asyncio.run(_publish_alert(fleet, alert_id))
    wait_until(lambda: _hub_has(fleet, 3), what="the alerts copied to the hub")
    # two settled (stored) by the centre: their copies go, the third stays on both
    assert asyncio.run(_settle_and_erase(fleet, settle=2, expect_left=1)) == (1, 1)
    assert asyncio.run(_hub_alert_ids(fleet)) == ["alert-3"]
    # the link cut: the third settled meanwhile is erased once the leaf is reachable again
    fleet.hub.stop()
    fleet.hub.start()
    assert asyncio.run(_settle_and_erase(fleet, settle=1, expect_left=0)) == (0, 0)
    kept = b"".join(p.read_bytes() for p in fleet.leaf_store.rglob("*") if p.is_file())
    assert MARKER not in kept
    assert b"lfr.up." not in kept  # no index left naming subjects (deployments, cameras)
