"""``lfr nats config``: write the nats-server configuration for the centre and its nodes."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    nats = commands.add_parser("nats", help="the NATS bus between the centre and edge nodes")
    sub = nats.add_subparsers(dest="nats_command", required=True, parser_class=type(nats))
    config = sub.add_parser(
        "config",
        help="write nats-server's configuration: JetStream, one user per node (admin)",
    )
    config.add_argument("--out", type=Path, required=True, help="configuration file to write")
    config.add_argument(
        "--store-dir",
        type=Path,
        help="JetStream's store directory (default <data dir>/jetstream)",
    )
    config.add_argument("--host", default="0.0.0.0", help="address to listen on")
    config.add_argument("--port", type=int, default=4222, help="port to listen on")
    config.set_defaults(handler=_config)
    add_actor_args(config)


@with_actor
def _config(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.events.edge_credentials import centre_credentials
    from lfr.events.nats_auth import bcrypt_hash
    from lfr.events.nats_config import BusUser, ServerPlan, render_config
    from lfr.governance.edge_nodes import nodes_for_config
    from lfr.store.keys import key_dir

    centre = centre_credentials(key_dir(services.data_dir))
    nodes = nodes_for_config(services, actor, str(args.out))
    plan = ServerPlan(
        store_dir=(args.store_dir or services.data_dir / "jetstream").resolve(),
        centre=BusUser(centre.user, bcrypt_hash(centre.password)),
        nodes=nodes,
        host=args.host,
        port=args.port,
    )
    # Password hashes only, but the file decides who may connect: readable by its owner only.
    descriptor = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(render_config(plan))
    print(f"nats-server configuration for {len(nodes)} node(s) written to {args.out}")
    print("start it with: nats-server -c FILE  (after a change: nats-server --signal reload)")
