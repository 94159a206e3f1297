"""``lfr nats config``: write the nats-server configuration for the centre and its nodes;
``lfr nats leaf-config``: the one for an edge machine's own leaf server."""

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
    config.add_argument(
        "--leaf-port",
        type=int,
        default=7422,
        help="port for edge machines' leaf servers (0: none)",
    )
    config.set_defaults(handler=_config)
    add_actor_args(config)
    _register_leaf(sub)


def _register_leaf(sub: argparse._SubParsersAction[Any]) -> None:
    leaf = sub.add_parser(
        "leaf-config",
        help="on an edge machine: its own nats-server, a leaf of the hub, keeping what the"
        " node sends while the link is down",
    )
    leaf.add_argument("--creds", type=Path, required=True, help="from 'lfr edge add NAME --out'")
    leaf.add_argument(
        "--hub", required=True, help="the hub's leaf port, e.g. nats-leaf://centre:7422"
    )
    leaf.add_argument("--out", type=Path, required=True, help="configuration file to write")
    leaf.add_argument(
        "--store-dir",
        type=Path,
        required=True,
        help="where this machine's JetStream keeps what waits for the hub (encrypted)",
    )
    leaf.add_argument("--port", type=int, default=4222, help="local port for 'lfr edge run'")
    leaf.set_defaults(handler=_leaf_config)


@with_actor
def _config(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.edge.centre.nodes import nodes_for_config
    from lfr.edge.credentials.files import centre_credentials
    from lfr.edge.credentials.passwords import bcrypt_hash
    from lfr.edge.hub_config import BusUser, ServerPlan, render_config
    from lfr.store.keys import key_dir

    centre = centre_credentials(key_dir(services.data_dir))
    nodes = nodes_for_config(services, actor, str(args.out))
    plan = ServerPlan(
        store_dir=(args.store_dir or services.data_dir / "jetstream").resolve(),
        centre=BusUser(centre.user, bcrypt_hash(centre.password)),
        nodes=nodes,
        host=args.host,
        port=args.port,
        leaf_port=args.leaf_port or None,
    )
    # Password hashes only, but the file decides who may connect: readable by its owner only.
    _write_private(args.out, render_config(plan))
    print(f"nats-server configuration for {len(nodes)} node(s) written to {args.out}")
    print("start it with: nats-server -c FILE  (after a change: nats-server --signal reload)")


def _leaf_config(args: argparse.Namespace) -> int:
    from lfr.edge.credentials.files import read_credentials
    from lfr.edge.leaf import LeafPlan, render_leaf_config

    credentials = read_credentials(args.creds)
    plan = LeafPlan(
        node=credentials.user,
        password=credentials.password,
        hub_url=args.hub,
        store_dir=args.store_dir.resolve(),
        port=args.port,
    )
    # The node's password in clear and the store's key: readable by its owner only.
    _write_private(args.out, render_leaf_config(plan))
    print(f"leaf server configuration for node {credentials.user} written to {args.out}")
    print(f"start it with: nats-server -c {args.out}")
    print(f"then: lfr edge run --nats nats://127.0.0.1:{args.port} --creds {args.creds}")
    return 0


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an older file of the same name may have been readable
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
