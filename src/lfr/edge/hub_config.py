"""The nats-server configuration for a control centre and its edge nodes (``lfr nats config``).

JetStream on, one user per node and one for the centre, bcrypt-hashed passwords, and
permissions that keep each node to its own subjects (``lfr.edge.protocol``): a node
publishes only under ``lfr.up.<node>.>``, pulls only from its own durable consumer on the down
stream, acks only that consumer's messages, and reads only its own inboxes. Written as JSON,
which nats-server's configuration format accepts as it is.

The hub also listens for leaf nodes (``lfr.edge.leaf``): a node's leaf server logs in as
that node, under the same permissions, which for a leaf connection say what may cross it - up:
the node's own subjects, the replies to the hub's requests and the copies the hub sources from
that leaf; down: only the JetStream requests for that node's domain and the node's own inboxes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lfr.edge import protocol as proto
from lfr.edge.leaf import HUB_DOMAIN, LEAF_STREAMS, deliver_prefix, leaf_api
from lfr.node_names import CENTRE_USER


@dataclass(frozen=True, slots=True)
class BusUser:
    name: str
    password_hash: str
    """bcrypt (``$2a$``/``$2b$``): nats-server compares the password it is given with it."""


@dataclass(frozen=True, slots=True)
class ServerPlan:
    store_dir: Path
    centre: BusUser
    nodes: Sequence[BusUser]
    host: str = "0.0.0.0"
    port: int = 4222
    max_file_store: str = "10G"
    leaf_port: int | None = None
    """Where edge machines' leaf servers connect (``lfr nats config``: 7422); None: none."""


def render_config(plan: ServerPlan) -> str:
    config: dict[str, Any] = {
        "host": plan.host,
        "port": plan.port,
        "jetstream": {
            "store_dir": str(plan.store_dir),
            "max_file_store": plan.max_file_store,
            "domain": HUB_DOMAIN,
        },
        "authorization": {
            "users": [_centre(plan.centre)] + [_node(node) for node in plan.nodes],
        },
    }
    if plan.leaf_port is not None:
        config["leafnodes"] = {"host": plan.host, "port": plan.leaf_port}
    return json.dumps(config, indent=2) + "\n"


def _centre(user: BusUser) -> dict[str, Any]:
    return {
        "user": CENTRE_USER,
        "password": user.password_hash,
        "permissions": {
            "publish": {
                "allow": [
                    "lfr.down.>",
                    "$JS.API.>",
                    "$JS.ACK.>",
                    # Erasing, on a node's leaf, the copies the centre has stored.
                    *(f"$JS.*.API.STREAM.MSG.DELETE.{stream}" for stream in LEAF_STREAMS.values()),
                ]
            },
            "subscribe": {
                "allow": ["lfr.up.>", "lfr.reply.>", f"{proto.inbox_prefix(CENTRE_USER)}.>"]
            },
        },
    }


def _node(user: BusUser) -> dict[str, Any]:
    name = proto.check_node_name(user.name)
    consumer = f"{proto.DOWN_STREAM}.{proto.down_consumer(name)}"
    return {
        "user": name,
        "password": user.password_hash,
        "permissions": {
            "publish": {
                "allow": [
                    proto.up_subjects(name),
                    f"$JS.API.CONSUMER.INFO.{consumer}",
                    f"$JS.API.CONSUMER.MSG.NEXT.{consumer}",
                    f"$JS.{HUB_DOMAIN}.API.CONSUMER.INFO.{consumer}",
                    f"$JS.{HUB_DOMAIN}.API.CONSUMER.MSG.NEXT.{consumer}",
                    f"$JS.ACK.{consumer}.>",
                    f"{deliver_prefix(name)}.>",
                    f"{proto.reply_prefix(name)}.>",  # its leaf's answers to the centre
                    # A leaf's answers to the hub's JetStream requests (creating the consumers
                    # the hub sources through) go to the hub's reply subjects: random, and
                    # answered once (``allow_responses`` does not reach leaf connections).
                    "$JSC.R.>",
                ]
            },
            "subscribe": {
                "allow": [
                    f"{proto.inbox_prefix(name)}.>",
                    f"{leaf_api(name)}.>",
                    *(f"$JS.FC.{stream}.>" for stream in LEAF_STREAMS.values()),
                ]
            },
        },
    }
