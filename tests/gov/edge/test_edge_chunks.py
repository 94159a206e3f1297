"""A watchlist too large for one NATS message (nats-server's default ``max_payload`` is 1 MB)
reaches its node in chunks over a real server: the node reassembles them in memory, checks
the digest, and opens the same snapshot the centre sealed.

SQLite only: chunking is about the bus's message size; the snapshot is sealed and stored by code
that test_snapshot and the edge intake tests run on both backends.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo

from lfr.access.services import Services
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.edge.jetstream import send_command
from lfr.edge.node.link import NodeHandlers, run_node_link
from lfr.edge.protocol import DOWN_STREAM, StartCommand, down_consumer, encode, snapshot_subject
from lfr.edge.wire.chunks import CHUNK_CHARS, SnapshotAssembler, send_start, split_start
from lfr.edge.wire.snapshot import SealedSnapshot, open_snapshot, seal_snapshot
from lfr.errors import IntegrityError
from lfr.match.watchlist import Watchlist
from tests.gov.edge_bus import Bus, start_bus
from tests.waiting import PATIENCE_S

CROP_KEY = bytes(range(32))
"""What the centre would derive for the node's crops in this deployment."""

pytestmark = pytest.mark.backends("sqlite")

ENTRIES, DIMENSION = 5_000, 128
NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024


@pytest.fixture
def bus(services: Services, tmp_path: Path) -> Iterator[Bus]:
    running = start_bus(services, tmp_path)
    yield running
    running.server.stop()


def large_watchlist(entries: int = ENTRIES) -> Watchlist:
    """Synthetic: random unit vectors and a tiny stand-in JPEG; no real face."""
    contract = EmbeddingContract("synthetic", "0" * 64, DIMENSION, "none")
    vectors = np.random.default_rng(7).standard_normal((entries, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    templates = [
        Template(
            Subject(f"WL-{i:05d}", f"Person {i}", "wanted", "warrant 1", "custody photo"),
            vectors[i],
            contract,
            f"wl-{i:05d}.jpg",
            b"\xff\xd8" + bytes(30),
        )
        for i in range(entries)
    ]
    return Watchlist.from_templates(contract, templates)


def test_a_5000_entry_snapshot_reaches_its_node_in_chunks_and_opens_to_the_same_digest(
    bus: Bus,
) -> None:
    watchlist = large_watchlist()
    key = base64.b64decode(bus.node.key)
    sealed = seal_snapshot(key, "node1", 3, watchlist, CROP_KEY)
    command = StartCommand(
        3, ("cam1=clip.mp4",), 4e9, 0.6, sealed.key_wrapped, sealed.snapshot_sealed
    )
    assert len(sealed.snapshot_sealed) > NATS_DEFAULT_MAX_PAYLOAD  # one message cannot carry it
    sent, chunks = split_start(command)
    assert len(chunks) == -(-len(sealed.snapshot_sealed) // CHUNK_CHARS) and sent.snapshot == ""

    assembler, opened = SnapshotAssembler(), []

    def on_start(start: StartCommand) -> None:
        text = assembler.sealed_text(start)
        snapshot = SealedSnapshot(start.snapshot_key, text)
        opened.append(open_snapshot(key, "node1", start.deployment_id, snapshot).watchlist.digest())

    handlers = NodeHandlers(on_start, lambda _: None, tuple, on_chunk=assembler.add)

    async def scenario() -> None:
        async with bus.client(bus.centre) as (_, js):
            with pytest.raises(MaxPayloadError):  # what one message did before chunks
                await send_command(js, "node1", command)
            await send_start(js, "node1", command, "start-3-node1-0")
        stop = asyncio.Event()
        link = asyncio.create_task(run_node_link(bus.server.url, bus.node, handlers, stop))
        deadline = asyncio.get_running_loop().time() + PATIENCE_S
        while not opened:
            assert asyncio.get_running_loop().time() < deadline, "the snapshot never opened"
            await asyncio.sleep(0.05)
        stop.set()
        await link

    asyncio.run(scenario())
    assert opened == [watchlist.digest()]


def test_a_start_missing_a_chunk_is_refused_for_good_and_nothing_is_opened(bus: Bus) -> None:
    key = base64.b64decode(bus.node.key)
    sealed = seal_snapshot(key, "node1", 4, large_watchlist(entries=1_000), CROP_KEY)
    command = StartCommand(
        4, ("cam1=clip.mp4",), 4e9, 0.6, sealed.key_wrapped, sealed.snapshot_sealed
    )
    sent, chunks = split_start(command)
    assert len(chunks) > 2
    assembler, refusals, opened = SnapshotAssembler(), [], []

    def on_start(start: StartCommand) -> None:
        try:
            text = assembler.sealed_text(start)
        except IntegrityError as exc:
            refusals.append(str(exc))
            raise
        opened.append(open_snapshot(key, "node1", 4, SealedSnapshot(start.snapshot_key, text)))

    handlers = NodeHandlers(on_start, lambda _: None, tuple, on_chunk=assembler.add)

    async def scenario() -> None:
        async with bus.client(bus.centre) as (_, js):
            for chunk in chunks[:1] + chunks[2:]:  # chunk 1 lost
                await js.publish(snapshot_subject("node1", 4), encode(chunk))
            await send_command(js, "node1", sent)
            stop = asyncio.Event()
            link = asyncio.create_task(run_node_link(bus.server.url, bus.node, handlers, stop))
            deadline = asyncio.get_running_loop().time() + PATIENCE_S
            while not refusals or (await _consumer(js)).num_ack_pending:
                assert asyncio.get_running_loop().time() < deadline, "the start never settled"
                await asyncio.sleep(0.05)
            stop.set()
            await link
            info = await _consumer(js)
            assert info.num_pending == 0 and info.num_redelivered == 0  # terminated, not again

    asyncio.run(scenario())
    assert opened == []
    assert refusals == [f"deployment 4: snapshot not opened: chunks missing (1 of {len(chunks)})"]


async def _consumer(js: JetStreamContext) -> ConsumerInfo:
    return await js.consumer_info(DOWN_STREAM, down_consumer("node1"))
