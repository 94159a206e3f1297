"""Once the centre has settled a node's message, no copy of it stays on the van (or the hub).

A node publishes onto its own leaf's store, which the hub's streams copy (``lfr.edge.leaf``);
the centre's consumers store each message and then acknowledge it. Behind them, on each
stream, a second durable consumer of the centre's, the eraser's, takes each message the
centre's consumer has settled (stored, or refused for good: at or below its acknowledgement
floor) and

1. asks the node's leaf to erase its copy (``STREAM.MSG.DELETE``, overwritten, by the
   sequence the hub's copy names in its ``Nats-Stream-Source`` header), through the leaf's
   JetStream API with the answer on ``lfr.reply.<node>.*``, which only that node may publish;
2. then deletes the hub's copy, and acknowledges.

A leaf that cannot be reached (the link is down) has its messages offered again a little later:
as the eraser's consumer is durable, nothing waits in this process's memory and a restarted
centre goes on where it stopped. A message the leaf no longer holds (its copy was replaced by
newer counts, or already erased) counts as erased.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Final

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig

from lfr.edge import protocol as proto
from lfr.edge.leaf import LEAF_STREAMS, leaf_api
from lfr.errors import LfrError

log = logging.getLogger(__name__)

ERASER_CONSUMERS: Final = {
    proto.ALERTS_STREAM: ("centre-erase-alerts", proto.CENTRE_ALERTS_CONSUMER),
    proto.COUNTS_STREAM: ("centre-erase-counts", proto.CENTRE_COUNTS_CONSUMER),
    proto.REPORTS_STREAM: ("centre-erase-reports", proto.CENTRE_REPORTS_CONSUMER),
}
"""Per hub stream: the eraser's durable consumer, and the centre's consumer it follows."""

SOURCE_HEADER: Final = "Nats-Stream-Source"
LEAF_ANSWER_S = 3.0
NOT_YET_S = 1.0
"""How soon a message the centre has not yet settled is offered to the eraser again."""
UNREACHABLE_S = 10.0
"""How soon a message whose leaf did not answer is offered again."""
NOT_FOUND: Final = frozenset({10043, 10057})  # JetStream: "sequence not found", "no message found"
FETCH_WAIT_S = 1.0


@dataclass(frozen=True, slots=True)
class LeafCopy:
    """Where a message on the hub came from: a node's leaf stream and its sequence there."""

    node: str
    stream: str
    seq: int


def leaf_copy(node: str, hub_stream: str, headers: dict[str, str] | None) -> LeafCopy | None:
    """The leaf copy of a message the hub sourced from ``node`` (None: the node published to the
    hub directly, or the header is not one the hub writes). The header reads
    ``<leaf stream>:<hash of its API> <sequence>``."""
    stream, _, seq = (headers or {}).get(SOURCE_HEADER, "").partition(" ")
    stream = stream.partition(":")[0]
    seq = seq.split(" ")[0]
    if stream != LEAF_STREAMS[hub_stream] or not seq.isdigit():
        return None
    return LeafCopy(node, stream, int(seq))


async def ensure_eraser_consumers(js: JetStreamContext) -> None:
    for stream, (durable, _) in ERASER_CONSUMERS.items():
        await js.add_consumer(
            stream,
            ConsumerConfig(
                durable_name=durable,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=60.0,
                max_ack_pending=8192,  # a van cut off for long must not hold up the others
            ),
        )


class LeafUnreachableError(Exception):
    """The leaf did not answer in time (the link is down, or the leaf is)."""


async def erase_on_leaf(client: Client, copy: LeafCopy) -> bool:
    """Ask ``copy.node``'s leaf to erase its copy; True once it is gone (erased now or before).
    Raises LeafUnreachableError without an answer."""
    reply = f"{proto.reply_prefix(copy.node)}.{secrets.token_hex(8)}"
    subscription = await client.subscribe(reply, max_msgs=1)
    try:
        await client.publish(
            f"{leaf_api(copy.node)}.STREAM.MSG.DELETE.{copy.stream}",
            json.dumps({"seq": copy.seq}).encode(),
            reply=reply,
        )
        answer = await subscription.next_msg(timeout=LEAF_ANSWER_S)
    except (TimeoutError, NatsTimeoutError) as exc:
        raise LeafUnreachableError(copy.node) from exc
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()
    return leaf_answer_erased(copy, answer.data)


def leaf_answer_erased(copy: LeafCopy, data: bytes) -> bool:
    """Whether the leaf's answer says its copy is gone (erased now, or not there any more)."""
    if not data:  # a status, no answer: "no responders" while the leaf reconnects
        raise LeafUnreachableError(copy.node)
    error = json.loads(data).get("error")
    if error and error.get("err_code") not in NOT_FOUND:
        log.warning("%s's leaf did not erase %s #%d: %s", copy.node, copy.stream, copy.seq, error)
        return False
    return True


async def erase_settled(
    client: Client, js: JetStreamContext, stream: str, stop: asyncio.Event
) -> None:
    """The eraser of one hub stream, until ``stop`` is set."""
    durable, followed = ERASER_CONSUMERS[stream]
    subscription = await js.pull_subscribe_bind(durable, stream)
    try:
        while not stop.is_set():
            try:
                await _erase_batch(client, js, stream, followed, subscription)
            except TimeoutError:  # nothing settled within the wait
                continue
            except Exception as exc:  # the hub unreachable: unsettled, offered again later
                log.info("erasing %s paused: %s", stream, type(exc).__name__)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), FETCH_WAIT_S)
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


async def _erase_batch(
    client: Client,
    js: JetStreamContext,
    stream: str,
    followed: str,
    subscription: JetStreamContext.PullSubscription,
) -> None:
    batch = await subscription.fetch(64, timeout=FETCH_WAIT_S)
    floor = (await js.consumer_info(stream, followed)).ack_floor
    settled = floor.stream_seq if floor is not None else 0
    cut_off: set[str] = set()
    for msg in batch:
        await _erase(client, js, stream, msg, settled, cut_off)


async def _erase(
    client: Client, js: JetStreamContext, stream: str, msg: Msg, settled: int, cut_off: set[str]
) -> None:
    seq = msg.metadata.sequence.stream
    if seq > settled:
        await msg.nak(delay=NOT_YET_S)
        return
    try:
        node, _, _ = proto.parse_up_subject(msg.subject)
    except LfrError:  # nothing a node could have sent: the hub copy goes
        node = ""
    copy = leaf_copy(node, stream, msg.headers) if node else None
    if copy is not None:
        if node in cut_off:  # asked once this batch, no answer: not again now
            await msg.nak(delay=UNREACHABLE_S)
            return
        try:
            if not await erase_on_leaf(client, copy):
                await msg.nak(delay=UNREACHABLE_S)
                return
        except LeafUnreachableError:
            cut_off.add(node)
            await msg.nak(delay=UNREACHABLE_S)
            return
    with contextlib.suppress(Exception):  # already gone (replaced counts): nothing to delete
        await js.delete_msg(stream, seq)
    await msg.ack()


async def erase_all(client: Client, js: JetStreamContext, stop: asyncio.Event) -> None:
    await asyncio.gather(*(erase_settled(client, js, stream, stop) for stream in ERASER_CONSUMERS))
