"""``lfr audit verify | export | list``: oversight of the hash-chained, signed audit log.

``lfr audit verify`` needs only the database and the audit PUBLIC key, so an oversight body can
check the chain without holding any key that writes it (or the data key). Without ``--user`` it
checks no role: whoever can read the database and holds the public key may verify, and the
command reveals only the number of entries and the head hash (or where the chain breaks). With
``--user`` the user is authenticated (the login is audited) and must have the audit.read role.

Verification also checks that the chain still holds every head published (the regular
publications in ``<data dir>/published/audit_heads.jsonl`` when that folder is at hand, and the
head in each published record), so entries cut off its end are found without ``--known-head``,
and that the alert table agrees with the chain (``lfr.audit.alerts``).
``publish-head`` publishes the head now (``lfr serve`` does so every hour).

``export`` and ``list`` show the entries themselves, so they need a login with audit.read
(oversight or admin); an export is itself audited.

The service functions live in ``lfr.audit.service``, shared with the HTTP API.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from lfr.access.roles import Action, require
from lfr.audit.heads import heads_path, publish_head, read_heads
from lfr.audit.service import FORMATS, export_audit, read_audit, verify_chain
from lfr.cli.common import acting, add_actor_args, add_data_dir_arg, open_services, settings_from
from lfr.errors import IntegrityError, LfrError
from lfr.store.db import Database, sqlite_url
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key

# --- command line --------------------------------------------------------------------------


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``audit verify``, ``audit export`` and ``audit list``."""
    audit = commands.add_parser("audit", help="verify, export or list the audit log")
    sub = audit.add_subparsers(dest="audit_command", required=True, parser_class=type(audit))

    verify = sub.add_parser(
        "verify", help="check the hash chain and signatures (needs only the public key)"
    )
    add_actor_args(verify)
    verify.add_argument(
        "--public-key",
        type=Path,
        metavar="FILE",
        help="audit public key (PEM; default <data dir>/keys/audit_ed25519.pub)",
    )
    verify.add_argument(
        "--known-head",
        metavar="HASH",
        help="the head hash from your last verification: it must still be in the log",
    )
    verify.set_defaults(handler=_verify)

    publish = sub.add_parser(
        "publish-head",
        help="publish the chain's head now (lfr serve does it hourly; cron may run this)",
    )
    add_data_dir_arg(publish)
    publish.set_defaults(handler=_publish_head)

    export = sub.add_parser("export", help="export every entry (audited)")
    add_actor_args(export)
    export.add_argument("--format", choices=FORMATS, default="json")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    export.set_defaults(handler=_export)

    listing = sub.add_parser("list", help="list entries")
    add_actor_args(listing)
    listing.add_argument("--action", help="only this action (or a prefix ending in '.')")
    listing.add_argument("--actor", dest="actor_name", metavar="USER", help="only this actor")
    listing.add_argument("--since", type=_iso_time, metavar="ISO", help="only entries from then")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=_list)


def _iso_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _verify(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    key_path: Path = args.public_key or key_dir(settings.data_dir) / AUDIT_PUBLIC
    try:
        public_key = load_public_key(key_path)
    except OSError as exc:
        raise LfrError(f"cannot read public key {key_path}: {exc.strerror or exc}") from None
    except ValueError:
        raise IntegrityError(f"{key_path} is not a PEM public key") from None
    if args.user:
        with acting(args) as (_, actor):
            require(actor, Action.AUDIT_READ)
    url = settings.database_url
    if url is None:
        if not (settings.data_dir / "lfr.sqlite3").is_file():
            raise LfrError(f"no database in {settings.data_dir} (set LFR_DATABASE_URL?)")
        url = sqlite_url(settings.data_dir)
    db = Database(url)
    try:
        report = verify_chain(
            db, public_key, args.known_head, read_heads(heads_path(settings.data_dir))
        )
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        raise LfrError(f"cannot read the audit log: {reason}") from None
    finally:
        db.dispose()
    if not report.ok:
        where = f" at entry {report.first_bad_seq}" if report.first_bad_seq else ""
        raise IntegrityError(f"audit chain BROKEN{where}: {report.problem}")
    print(f"audit chain intact: {report.entries} entries, head {report.head_hash}")
    return 0


def _publish_head(args: argparse.Namespace) -> int:
    """As the system, like ``lfr deployment enforce``: it only copies the signed head."""
    services = open_services(args)
    try:
        with services.transaction() as session:
            head = publish_head(session, services.data_dir, services.clock())
    finally:
        services.db.dispose()
    if head is None:
        print("audit head: already published (or the log is empty)")
    else:
        print(f"audit head published: entry {head.seq}, {head.hash}")
    return 0


def _export(args: argparse.Namespace) -> int:
    out: Path | None = args.out
    if out is not None and out.is_dir():
        raise LfrError(f"{out} is a directory: name the file to write")
    with acting(args) as (services, actor):
        text = export_audit(
            services, actor, args.format, str(out.resolve()) if out is not None else "stdout"
        )
    if out is None:
        print(text, end="")
        return 0
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LfrError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        records = read_audit(services, actor, args.action, args.actor_name, args.since)
    for record in records:
        if args.json:
            print(json.dumps(record.as_json(), sort_keys=True))
        else:
            details = json.dumps(record.details, sort_keys=True)
            print(
                f"{record.seq:>6}  {record.at:%Y-%m-%d %H:%M:%S}Z  {record.actor:<16}"
                f"  {record.action:<28}  {record.target}  {details}"
            )
    return 0
