"""Connecting to NATS and setting up the JetStream streams and consumers of the edge protocol.

The centre owns the streams and every consumer: a node may only pull from the durable consumer
made for it (``lfr.edge.hub_config`` grants nothing else), so it can never create one that
reads another node's commands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError as StreamNotFoundError

from lfr.edge import protocol as proto
from lfr.edge.credentials.files import BusCredentials
from lfr.edge.leaf import hub_sources

log = logging.getLogger(__name__)

DEDUP_WINDOW_S = 24 * 3600.0
"""How long JetStream remembers an alert id (``Nats-Msg-Id``) to drop a republished copy; the
store's idempotent intake catches any later one."""
MAX_ALERT_BYTES = 1 << 30

ErrorCallback = Callable[[Exception], Awaitable[None]]


async def connect(
    url: str,
    credentials: BusCredentials,
    error_cb: ErrorCallback | None = None,
    reconnect: bool = True,
) -> Client:
    """Connected as ``credentials.user``, with replies on that user's own inboxes. With
    ``reconnect`` the client rides out a lost link (and retries a refused first connection for
    minutes); without it, a refusal raises at once."""
    return await nats.connect(
        url,
        user=credentials.user,
        password=credentials.password,
        inbox_prefix=proto.inbox_prefix(credentials.user),
        name=credentials.user,
        error_cb=error_cb or _one_line,
        allow_reconnect=reconnect,
    )


async def _one_line(error: Exception) -> None:
    """nats-py's default prints a traceback on each failed try (every 2 s while refused): an
    operator needs the reason once a try, e.g. "nats: 'Authorization Violation'"."""
    log.warning("NATS: %s", error or type(error).__name__)


def _streams(nodes: tuple[str, ...]) -> list[StreamConfig]:
    """The hub's streams; those a node sends up also copy what ``nodes`` hold on their leaves."""
    subjects = proto.STREAM_SUBJECTS
    return [
        StreamConfig(
            name=proto.ALERTS_STREAM,
            subjects=[subjects[proto.ALERTS_STREAM]],
            storage=StorageType.FILE,
            duplicate_window=DEDUP_WINDOW_S,
            max_bytes=MAX_ALERT_BYTES,
            discard=DiscardPolicy.NEW,  # refuse, never silently drop, an undelivered alert
            sources=hub_sources(proto.ALERTS_STREAM, nodes) or None,
        ),
        # Counts are cumulative: the last message per camera is all that is needed.
        StreamConfig(
            name=proto.COUNTS_STREAM,
            subjects=[subjects[proto.COUNTS_STREAM]],
            storage=StorageType.FILE,
            max_msgs_per_subject=1,
            sources=hub_sources(proto.COUNTS_STREAM, nodes) or None,
        ),
        StreamConfig(
            name=proto.REPORTS_STREAM,
            subjects=[subjects[proto.REPORTS_STREAM]],
            storage=StorageType.FILE,
            duplicate_window=DEDUP_WINDOW_S,
            sources=hub_sources(proto.REPORTS_STREAM, nodes) or None,
        ),
        StreamConfig(
            name=proto.DOWN_STREAM,
            subjects=[subjects[proto.DOWN_STREAM]],
            storage=StorageType.FILE,
            duplicate_window=DEDUP_WINDOW_S,
        ),
    ]


async def ensure_streams(js: JetStreamContext, nodes: tuple[str, ...] = ()) -> None:
    """Create the protocol's streams, or bring an existing one's configuration up to date
    (``nodes``: the registered nodes, whose leaves the streams copy from)."""
    for config in _streams(nodes):
        try:
            await js.update_stream(config)
        except StreamNotFoundError:
            await js.add_stream(config)


async def ensure_node_consumer(js: JetStreamContext, node: str) -> None:
    """The durable consumer through which ``node`` reads its commands and snapshots."""
    await js.add_consumer(
        proto.DOWN_STREAM,
        ConsumerConfig(
            durable_name=proto.down_consumer(node),
            filter_subject=proto.down_subjects(node),
            ack_policy=AckPolicy.EXPLICIT,
        ),
    )


ALERT_ACK_WAIT_S = 30.0
"""An alert pulled but not acknowledged in this time (the centre died mid-store) is delivered
again; storing is idempotent, so a second delivery is harmless."""


async def ensure_centre_consumers(js: JetStreamContext) -> None:
    """The centre's durable consumer of alerts: it survives a restart of the centre (and of
    nats-server), which then picks up after the last alert it acknowledged."""
    await js.add_consumer(
        proto.ALERTS_STREAM,
        ConsumerConfig(
            durable_name=proto.CENTRE_ALERTS_CONSUMER,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ALERT_ACK_WAIT_S,
            max_ack_pending=256,
        ),
    )
    for stream, durable in (
        (proto.REPORTS_STREAM, proto.CENTRE_REPORTS_CONSUMER),
        (proto.COUNTS_STREAM, proto.CENTRE_COUNTS_CONSUMER),
    ):
        await js.add_consumer(
            stream,
            ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=30.0),
        )


async def send_command(
    js: JetStreamContext,
    node: str,
    command: proto.StartCommand | proto.StopCommand,
    msg_id: str | None = None,
) -> None:
    """Into the down stream, where it waits for ``node`` (stored when this returns). Sent
    twice (the centre died before recording it), JetStream keeps the first only."""
    kind = "start" if isinstance(command, proto.StartCommand) else "stop"
    await js.publish(
        proto.command_subject(node, command),
        proto.encode(command),
        headers={"Nats-Msg-Id": msg_id or f"{kind}-{command.deployment_id}-{node}"},
    )
