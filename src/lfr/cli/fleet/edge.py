"""``lfr edge``: register and remove the edge nodes that run cameras next to them (admin)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor
from lfr.cli.fleet.edge_run import register_run
from lfr.errors import LfrError


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    edge = commands.add_parser("edge", help="edge nodes: machines that run cameras (admin)")
    sub = edge.add_subparsers(dest="edge_command", required=True, parser_class=type(edge))

    add = sub.add_parser("add", help="register a node and write its bus credentials")
    add.add_argument("name", help="1-32 characters from a-z, 0-9 and '-'")
    add.add_argument(
        "--out", type=Path, required=True, help="credentials file to create (mode 0600)"
    )
    add.set_defaults(handler=_add)

    remove = sub.add_parser(
        "remove", help="remove a node (refused by the bus once 'lfr nats config' is reloaded)"
    )
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)

    listing = sub.add_parser("list", help="list the registered nodes")
    listing.set_defaults(handler=_list)

    for parser in (add, remove, listing):
        add_actor_args(parser)
    register_run(sub)  # a node's own process: no actor, it acts by its bus credentials


@with_actor
def _add(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.edge.centre.nodes import add_node, remove_node
    from lfr.edge.credentials.files import write_credentials

    if args.out.exists():  # checked first, so a refused file leaves no node behind
        raise LfrError(f"{args.out} exists: credentials are never overwritten")
    credentials = add_node(services, actor, args.name)
    try:
        write_credentials(args.out, credentials)
    except BaseException:
        remove_node(services, actor, args.name)  # a node nobody holds the password of
        raise
    print(f"node {args.name} added; credentials in {args.out}")
    print("write the bus configuration again and reload nats-server: lfr nats config --out FILE")


@with_actor
def _remove(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.edge.centre.nodes import remove_node

    remove_node(services, actor, args.name)
    print(f"node {args.name} removed; write the bus configuration again and reload nats-server")


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.edge.centre.nodes import list_nodes

    for node in list_nodes(services, actor):
        print(f"{node.name}  added {node.created_at:%Y-%m-%d %H:%M} by {node.created_by}")
