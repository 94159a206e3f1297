"""Governed watchlists on the command line, added to the existing ``lfr watchlist`` group:
``create NAME``, ``import DIR --into NAME --expires-days N``, ``entries NAME [--all] [--json]``,
``remove NAME REFERENCE --reason TEXT`` and ``list``."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from lfr.access.roles import Action, require
from lfr.cli.argtypes import positive_int
from lfr.cli.common import acting, add_actor_args
from lfr.governance.watchlists.entries import (
    EntryView,
    create_watchlist,
    find_watchlist,
    list_entries,
    list_watchlists,
    remove_entry,
)
from lfr.governance.watchlists.folder_import import enrol_folder_into

EXIT_NOT_ALL_ADDED = 1


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to the ``lfr watchlist`` group."""
    create = commands.add_parser("create", help="create an empty governed watchlist")
    create.add_argument("name")
    add_actor_args(create)
    create.set_defaults(handler=create_command)

    imp = commands.add_parser(
        "import", help="enrol a folder (subject.json in every sub-folder) into a watchlist"
    )
    imp.add_argument("folder", type=Path, help="one sub-folder of photos per subject")
    imp.add_argument("--into", required=True, metavar="NAME", help="the watchlist")
    imp.add_argument(
        "--expires-days",
        required=True,
        type=positive_int,
        metavar="N",
        help="the entries expire after N days (at most the policy's maximum)",
    )
    add_actor_args(imp)
    imp.set_defaults(handler=import_command)

    entries = commands.add_parser("entries", help="the entries of a watchlist")
    entries.add_argument("name")
    entries.add_argument("--all", action="store_true", help="also expired and removed entries")
    entries.add_argument("--json", action="store_true", help="print a JSON array")
    add_actor_args(entries)
    entries.set_defaults(handler=entries_command)

    remove = commands.add_parser(
        "remove", help="take an entry off a watchlist and wipe its photos and templates"
    )
    remove.add_argument("name")
    remove.add_argument("reference")
    remove.add_argument("--reason", required=True, help="why the entry is removed (audited)")
    add_actor_args(remove)
    remove.set_defaults(handler=remove_command)

    listing = commands.add_parser("list", help="the governed watchlists and their sizes")
    add_actor_args(listing)
    listing.set_defaults(handler=list_command)


def create_command(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        watchlist_id = create_watchlist(services, actor, args.name)
    print(f"watchlist {args.name!r} created (id {watchlist_id})")
    return 0


def import_command(args: argparse.Namespace) -> int:
    from lfr.app import LazyEnroller  # the models load on the first photo, not before

    with acting(args) as (services, actor):
        require(actor, Action.WATCHLIST_MANAGE)
        watchlist = find_watchlist(services, actor, args.into)
        expires_at = services.clock() + timedelta(days=args.expires_days)
        report = enrol_folder_into(
            services,
            actor,
            watchlist.id,
            args.folder,
            LazyEnroller(),
            expires_at,
            progress=sys.stderr.isatty(),
        )
    for error in report.errors:
        print(f"lfr: skipped enrolment photo {error}", file=sys.stderr)
    for refusal in report.refused:
        print(f"lfr: {refusal}", file=sys.stderr)
    for reference in report.subjects_without_template:
        print(f"lfr: {reference!r} not added: no usable photo", file=sys.stderr)
    print(
        f"{len(report.added)} of {report.subjects} subjects added to {args.into!r}"
        f" ({report.images_enrolled} photos; {len(report.errors)} photos skipped,"
        f" {len(report.refused)} subjects refused), expiring {expires_at:%Y-%m-%d %H:%M} UTC"
    )
    return 0 if len(report.added) == report.subjects else EXIT_NOT_ALL_ADDED


def entries_command(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        watchlist = find_watchlist(services, actor, args.name)
        entries = list_entries(services, actor, watchlist.id, include_inactive=args.all)
    if args.json:
        print(json.dumps([_entry_record(e) for e in entries], indent=2))
        return 0
    print(f"{args.name}: {len(entries)} {'entries' if args.all else 'active entries'}")
    for e in entries:
        print(
            f"  {e.reference}\t{e.display_name}\t{e.category}\t{e.status}"
            f"\texpires {e.expires_at:%Y-%m-%d %H:%M}\t{e.images} photo(s)\tadded by {e.added_by}"
        )
    return 0


def _entry_record(entry: EntryView) -> dict[str, Any]:
    record = asdict(entry)
    for key in ("added_at", "expires_at", "removed_at"):
        record[key] = record[key].isoformat() if record[key] is not None else None
    return record


def remove_command(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        watchlist = find_watchlist(services, actor, args.name)
        remove_entry(services, actor, watchlist.id, args.reference, args.reason)
    print(f"{args.reference} removed from {args.name!r}; its photos and templates were wiped")
    return 0


def list_command(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        watchlists = list_watchlists(services, actor)
    if not watchlists:
        print("no watchlists")
    for w in watchlists:
        print(
            f"{w.name}\t{w.active_entries} active of {w.total_entries} entries"
            f"\tcreated by {w.created_by} on {w.created_at:%Y-%m-%d}"
        )
    return 0
