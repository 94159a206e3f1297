"""An edge node's link (``lfr.edge.node.link``) over a real nats-server: it gets its own
commands in order, exactly once each, including those sent while it was down; a malformed one
is dropped; it sends a heartbeat every second naming what it runs.

SQLite only: the link carries commands and heartbeats and holds no database; the centre only
needs one to register the node.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.jetstream import send_command
from lfr.edge.node.link import NodeHandlers, run_node_link
from lfr.edge.protocol import Heartbeat, StartCommand, StopCommand
from tests.gov.edge_bus import Bus, start_bus

pytestmark = pytest.mark.backends("sqlite")

PATIENCE_S = 30.0
START = StartCommand(5, ("cam1=clip.mp4",), 2e9, 0.6)


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


class Node:
    """What the node's handlers were told, and the link running it."""

    def __init__(self) -> None:
        self.commands: list[StartCommand | StopCommand] = []
        self.handlers = NodeHandlers(
            on_start=self.commands.append,
            on_stop=self.commands.append,
            running=lambda: tuple(c.deployment_id for c in self.commands[-1:]),
        )


async def _until(condition: object, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + PATIENCE_S
    while not condition():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not happen within {PATIENCE_S:.0f} s")
        await asyncio.sleep(0.02)


def test_a_node_gets_its_commands_once_each_even_those_sent_while_it_was_down(bus: Bus) -> None:
    node = Node()
    beats: list[Heartbeat] = []

    async def scenario() -> None:
        async with bus.client(bus.centre) as (centre, js):

            async def on_beat(msg: object) -> None:
                beats.append(proto.decode(Heartbeat, msg.data))  # type: ignore[attr-defined]

            await centre.subscribe(proto.heartbeat_subject("node1"), cb=on_beat)
            await send_command(js, "node1", START)
            await js.publish("lfr.down.node1.start.5", b"not a command")
            stop = asyncio.Event()
            link = asyncio.create_task(run_node_link(bus.server.url, bus.node, node.handlers, stop))
            await _until(lambda: node.commands == [START], "the start command")
            await _until(lambda: any(b.deployments == (5,) for b in beats), "a heartbeat")
            stop.set()
            await link  # the node goes down
            await send_command(js, "node1", StopCommand(5, "ended"))
            restarted = asyncio.Event()
            link = asyncio.create_task(
                run_node_link(bus.server.url, bus.node, node.handlers, restarted)
            )
            await _until(lambda: len(node.commands) == 2, "the stop sent while it was down")
            await asyncio.sleep(0)  # let a wrongly redelivered command show up, if any
            restarted.set()
            await link

    asyncio.run(scenario())
    assert node.commands == [START, StopCommand(5, "ended")]
    assert all(beat.node == "node1" for beat in beats)


def test_the_link_rides_out_the_server_going_away_and_takes_commands_again(bus: Bus) -> None:
    node = Node()

    async def scenario() -> None:
        stop = asyncio.Event()
        link = asyncio.create_task(run_node_link(bus.server.url, bus.node, node.handlers, stop))
        async with bus.client(bus.centre) as (_, js):
            await send_command(js, "node1", START)
            await _until(lambda: node.commands == [START], "the start command")
        await asyncio.to_thread(bus.server.stop)
        await asyncio.sleep(3)  # fetches fail meanwhile: the link must not give up
        await asyncio.to_thread(bus.server.start)
        assert not link.done()
        async with bus.client(bus.centre) as (_, js):
            await send_command(js, "node1", StopCommand(5, "ended"))
            await _until(lambda: len(node.commands) == 2, "the stop sent after the outage")
        stop.set()
        await link

    asyncio.run(scenario())
    assert node.commands == [START, StopCommand(5, "ended")]
