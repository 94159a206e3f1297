"""``lfr watchlist details NAME REFERENCE [--offence O] [--max-sentence-years N]
[--date-of-birth D] [--child-reason R]`` and ``lfr watchlist approve-child NAME REFERENCE``."""

from __future__ import annotations

import argparse
from typing import Any

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.cli.common import add_actor_args, with_actor
from lfr.cli.governed.documents import iso_day
from lfr.governance.law.annex_ii import ANNEX_II_OFFENCES


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the sub-commands to the ``lfr watchlist`` group."""
    details = commands.add_parser(
        "details", help="set an entry's offence, maximum sentence, date of birth, child reason"
    )
    details.add_argument("name", help="the watchlist")
    details.add_argument("reference", help="the entry")
    details.add_argument(
        "--offence", help="an EU AI Act Annex II offence type: " + "; ".join(ANNEX_II_OFFENCES)
    )
    details.add_argument("--max-sentence-years", type=float, help="the national maximum")
    details.add_argument("--date-of-birth", type=iso_day, help="YYYY-MM-DD")
    details.add_argument("--child-reason", help="why an under-18 must be on the watchlist")
    add_actor_args(details)
    details.set_defaults(handler=_details)

    approve = commands.add_parser(
        "approve-child", help="approve an under-18 entry (an authorising officer)"
    )
    approve.add_argument("name")
    approve.add_argument("reference")
    add_actor_args(approve)
    approve.set_defaults(handler=_approve)


def _watchlist_id(services: Services, name: str) -> int:
    from lfr.cli.governed.deployments import watchlist_id_by_name

    return watchlist_id_by_name(services, name)


@with_actor
def _details(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.watchlists.entry_details import EntryDetails, set_entry_details

    details = EntryDetails(
        offence=args.offence,
        max_sentence_years=args.max_sentence_years,
        date_of_birth=args.date_of_birth,
        child_reason=args.child_reason,
    )
    set_entry_details(services, actor, _watchlist_id(services, args.name), args.reference, details)
    print(f"entry {args.reference!r} on {args.name!r} updated")


@with_actor
def _approve(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.watchlists.entry_details import approve_child

    approve_child(services, actor, _watchlist_id(services, args.name), args.reference)
    print(f"under-18 entry {args.reference!r} on {args.name!r} approved by {actor.username}")
