"""``lfr deployment assign|unassign|assignments``: which operators and field officers read a
deployment's alerts (need to know). Supervisors (authorising officers) and admins assign; every
change is audited."""

from __future__ import annotations

import argparse
import json
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.argtypes import positive_int
from lfr.cli.common import with_actor


def register(sub: argparse._SubParsersAction[Any]) -> list[argparse.ArgumentParser]:
    """Add the assignment sub-commands to ``lfr deployment``; returns their parsers."""
    assign = sub.add_parser(
        "assign", help="assign an operator or field officer (they then read its alerts)"
    )
    assign.add_argument("id", type=positive_int, help="deployment id")
    assign.add_argument("officer", help="username of an operator or field officer")
    assign.set_defaults(handler=_assign)

    unassign = sub.add_parser("unassign", help="end an officer's assignment to a deployment")
    unassign.add_argument("id", type=positive_int, help="deployment id")
    unassign.add_argument("officer", help="username")
    unassign.set_defaults(handler=_unassign)

    listing = sub.add_parser("assignments", help="the officers assigned to a deployment")
    listing.add_argument("id", type=positive_int, help="deployment id")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)
    return [assign, unassign, listing]


@with_actor
def _assign(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.assignments import assign

    view = assign(services, actor, args.id, args.officer)
    print(f"{view.username} ({view.role.value}) assigned to deployment {args.id}")


@with_actor
def _unassign(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.assignments import unassign

    unassign(services, actor, args.id, args.officer)
    print(f"{args.officer} no longer assigned to deployment {args.id}")


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.deployments.assignments import list_assignments

    views = list_assignments(services, actor, args.id)
    if args.json:
        rows = [
            {
                "username": v.username,
                "role": v.role.value,
                "assigned_by": v.assigned_by,
                "assigned_at": v.assigned_at.isoformat(),
            }
            for v in views
        ]
        print(json.dumps(rows, indent=2))
        return
    for v in views:
        when = f"{v.assigned_at:%Y-%m-%d %H:%M}"
        print(f"{v.username:<20} {v.role.value:<14} by {v.assigned_by}, {when}")
    print(f"{len(views)} officer(s) assigned to deployment {args.id}")
