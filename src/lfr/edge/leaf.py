"""A JetStream leaf node on the edge machine: what keeps a node's alerts when the link is down.

The edge machine runs its own nats-server (``lfr nats leaf-config``), a leaf node of the
centre's hub with JetStream in a domain of its own (named after the node). ``lfr edge run``
publishes its alerts, reports and counts into streams on that local server, which stores them on
the edge's disk (encrypted at rest, the crops sealed besides) whether or not the hub is reachable.
The hub's streams *source* each node's streams across the leaf connection: JetStream copies what
the hub lacks as soon as the link is back, from where it stopped, with the alert ids kept. A node
process killed while cut off loses nothing it had published, and the local server restarts from
its store.

Why this and not a queue of our own: the copy, its resumption and the ordering are JetStream's,
tested by its users at scale; the node only ever talks to a server on its own machine.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import (
    DiscardPolicy,
    ExternalStream,
    StorageType,
    StreamConfig,
    StreamSource,
)
from nats.js.errors import NotFoundError as StreamNotFoundError

from lfr.edge import protocol as proto
from lfr.edge.credentials.passwords import bcrypt_hash
from lfr.errors import LfrError

HUB_DOMAIN: Final = "centre"
"""The centre's JetStream domain: a node on a leaf reaches the hub's streams through it."""

LEAF_STREAMS: Final = {
    proto.ALERTS_STREAM: "LFR_EDGE_ALERTS",
    proto.COUNTS_STREAM: "LFR_EDGE_COUNTS",
    proto.REPORTS_STREAM: "LFR_EDGE_REPORTS",
}
"""The hub's stream for each kind of message, and the leaf's stream it sources from."""

UP_KINDS: Final = {
    proto.ALERTS_STREAM: "alert",
    proto.COUNTS_STREAM: "counts",
    proto.REPORTS_STREAM: "report",
}

LEAF_ALERT_BYTES: Final = 2 << 30
"""What the edge keeps of alerts not yet copied: far more than a day cut off (an alert with its
sealed crops is tens of KB); beyond it a new alert is refused (and counted), none dropped."""
LEAF_KEEP_S: Final = 7 * 24 * 3600.0
"""How long the edge keeps what it published, copied or not: a link down for a week is a
failure for people, not for the bus. Alerts' crops are sealed with the deployment's crop key
(``lfr.edge.wire.snapshot``), which the node holds in memory only and zeroes at the wipe, so an
old copy here opens for nobody but the centre, even with the node's credentials file."""
DEDUP_WINDOW_S: Final = 24 * 3600.0


def leaf_api(node: str) -> str:
    """The JetStream API prefix of ``node``'s leaf, as seen from the hub."""
    return f"$JS.{proto.check_node_name(node)}.API"


def deliver_prefix(node: str) -> str:
    """Where ``node``'s leaf pushes the copies the hub sources; only that node may publish it."""
    return f"lfr.deliver.{proto.check_node_name(node)}"


def leaf_stream_configs(node: str) -> list[StreamConfig]:
    subject = {kind: f"lfr.up.{proto.check_node_name(node)}.{kind}.>" for kind in UP_KINDS.values()}
    common: dict[str, Any] = {"storage": StorageType.FILE, "max_age": LEAF_KEEP_S}
    return [
        StreamConfig(
            name=LEAF_STREAMS[proto.ALERTS_STREAM],
            subjects=[subject["alert"]],
            duplicate_window=DEDUP_WINDOW_S,
            max_bytes=LEAF_ALERT_BYTES,
            discard=DiscardPolicy.NEW,
            **common,
        ),
        StreamConfig(
            name=LEAF_STREAMS[proto.COUNTS_STREAM],
            subjects=[subject["counts"]],
            max_msgs_per_subject=1,  # cumulative: the latest per camera says it all
            **common,
        ),
        StreamConfig(
            name=LEAF_STREAMS[proto.REPORTS_STREAM],
            subjects=[subject["report"]],
            duplicate_window=DEDUP_WINDOW_S,
            **common,
        ),
    ]


async def ensure_leaf_streams(js: JetStreamContext, node: str) -> None:
    """On the node's own leaf server (its JetStream domain)."""
    for config in leaf_stream_configs(node):
        try:
            await js.update_stream(config)
        except StreamNotFoundError:
            await js.add_stream(config)


def hub_sources(hub_stream: str, nodes: tuple[str, ...]) -> list[StreamSource]:
    """What ``hub_stream`` copies from each node's leaf: only that node's own subjects, so a node
    that adds another's subjects to its leaf's store cannot have them copied as the other's (the
    centre also checks each message's tag). A node without a leaf (connected to the hub
    directly) leaves its source idle: the hub retries it quietly."""
    kind = UP_KINDS[hub_stream]
    return [
        StreamSource(
            name=LEAF_STREAMS[hub_stream],
            filter_subject=f"lfr.up.{proto.check_node_name(node)}.{kind}.>",
            external=ExternalStream(api=leaf_api(node), deliver=deliver_prefix(node)),
        )
        for node in sorted(nodes)
    ]


def on_own_leaf(client: Client, node: str) -> bool:
    """Whether ``client`` is connected to ``node``'s own leaf server (JetStream domain = node),
    rather than to the hub directly. Read from the server's greeting (its INFO names its
    domain), not asked of JetStream: a node on the hub may not ask the hub's API."""
    info: dict[str, Any] = getattr(client, "_server_info", {})  # nats-py keeps INFO there
    return bool(info.get("jetstream")) and info.get("domain") == node


@dataclass(frozen=True, slots=True)
class LeafPlan:
    node: str
    password: str
    """The node's bus password: the leaf logs in to the hub with it, and the node to the leaf."""
    hub_url: str
    """The hub's leaf-node port, e.g. ``nats-leaf://centre.example:7422``."""
    store_dir: Path
    port: int = 4222
    max_file_store: str = "10G"


def render_leaf_config(plan: LeafPlan) -> str:
    """The edge machine's nats-server configuration. It holds the node's password in clear (to
    log in to the hub) and the store's encryption key: write it mode 0600."""
    node = proto.check_node_name(plan.node)
    config: dict[str, Any] = {
        "host": "127.0.0.1",  # the node process is its only client
        "port": plan.port,
        "jetstream": {
            "domain": node,
            "store_dir": str(plan.store_dir),
            "max_file_store": plan.max_file_store,
            "cipher": "chachapoly",
            "key": secrets.token_urlsafe(32),
        },
        "authorization": {"users": [{"user": node, "password": bcrypt_hash(plan.password)}]},
        "leafnodes": {
            "remotes": [
                {
                    "urls": [_with_login(plan.hub_url, node, plan.password)],
                    # Only the sourced copies carry alerts, counts and reports up: one path.
                    "deny_exports": [f"lfr.up.{node}.{kind}.>" for kind in UP_KINDS.values()],
                }
            ]
        },
    }
    return json.dumps(config, indent=2) + "\n"


def _with_login(url: str, user: str, password: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" in rest:
        raise LfrError(f"the hub's leaf URL is nats-leaf://host:port, not {url!r}")
    return f"{scheme}://{user}:{password}@{rest}"
