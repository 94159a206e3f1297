"""The nats-server configuration for a control centre and its edge nodes (``lfr nats config``).

JetStream on, one user per node and one for the centre, bcrypt-hashed passwords, and
permissions that keep each node to its own subjects (``lfr.events.edge_protocol``): a node
publishes only under ``lfr.up.<node>.>``, pulls only from its own durable consumer on the down
stream, acks only that consumer's messages, and reads only its own inboxes. Written as JSON,
which nats-server's configuration format accepts as it is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lfr.events import edge_protocol as proto


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


def render_config(plan: ServerPlan) -> str:
    config: dict[str, Any] = {
        "host": plan.host,
        "port": plan.port,
        "jetstream": {
            "store_dir": str(plan.store_dir),
            "max_file_store": plan.max_file_store,
        },
        "authorization": {
            "users": [_centre(plan.centre)] + [_node(node) for node in plan.nodes],
        },
    }
    return json.dumps(config, indent=2) + "\n"


def _centre(user: BusUser) -> dict[str, Any]:
    return {
        "user": proto.CENTRE_USER,
        "password": user.password_hash,
        "permissions": {
            "publish": {"allow": ["lfr.down.>", "$JS.API.>", "$JS.ACK.>"]},
            "subscribe": {"allow": ["lfr.up.>", f"{proto.inbox_prefix(proto.CENTRE_USER)}.>"]},
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
                    f"$JS.ACK.{consumer}.>",
                ]
            },
            "subscribe": {"allow": [f"{proto.inbox_prefix(name)}.>"]},
        },
    }
