"""``lfr init``: create the data directory, its keys (mode 0600) and the database schema, and
optionally the first admin. Safe to run again: no key is ever overwritten."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lfr.cli.common import add_data_dir_arg, read_password, settings_from
from lfr.errors import LfrError
from lfr.store.db import sqlite_url
from lfr.store.keys import AUDIT_PUBLIC, key_dir


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    parser = commands.add_parser(
        "init", help="create the data directory, keys and database (safe to re-run)"
    )
    add_data_dir_arg(parser)
    parser.add_argument(
        "--admin", metavar="NAME", help="also create the first admin account (only if none exists)"
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the admin's password from the first line of stdin (else $LFR_PASSWORD or a"
        " prompt)",
    )
    parser.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace) -> int:
    from lfr.app import build_services, init_data_dir
    from lfr.governance.accounts.users import bootstrap_admin, check_password, check_username

    settings = settings_from(args)
    password = ""
    if args.admin is not None:  # bad input is refused before anything is created
        check_username(args.admin)
        password = _admin_password(args)
        check_password(password, args.admin)
    url = settings.database_url or sqlite_url(settings.data_dir)
    shown_url = _shown(url)
    schema_existed = _has_schema(url)
    try:
        created = init_data_dir(settings)
        services = build_services(settings, os.environ)
    except OSError as exc:
        raise LfrError(f"cannot initialise {settings.data_dir}: {exc}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise LfrError(f"cannot set up the database {shown_url}: {reason}") from None
    try:
        if created or not schema_existed:
            with services.transaction() as session:
                services.record(
                    session,
                    "system",
                    "system.init",
                    "data_dir",
                    {
                        "keys_created": [path.name for path in created],
                        "schema_created": not schema_existed,
                        "database": services.db.engine.dialect.name,
                    },
                )
        for path in created:
            print(f"created key {path} (mode 0600)")
        if not created:
            print(f"keys already present in {key_dir(settings.data_dir)}; none changed")
        print(f"audit public key: {key_dir(settings.data_dir) / AUDIT_PUBLIC}")
        print("  (give it to oversight: 'lfr audit verify' needs only this key)")
        state = "created" if not schema_existed else "up to date"
        print(f"database {shown_url}: schema {state}")
        if args.admin is not None:
            bootstrap_admin(services, args.admin, password)
            print(f"admin {args.admin} created")
    finally:
        services.db.dispose()
    return 0


def _admin_password(args: argparse.Namespace) -> str:
    prompted = not args.password_stdin and "LFR_PASSWORD" not in os.environ
    password = read_password(args, f"password for {args.admin}: ")
    if prompted and getpass.getpass("again: ") != password:
        raise LfrError("the two passwords differ")
    return password


def _has_schema(url: str) -> bool:
    """Whether the database already holds OpenLFR's tables (so init creates no schema)."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            return False  # do not create the file (or fail on a missing folder) just to look
        engine = create_engine(url)
    except SQLAlchemyError:
        return False  # init itself reports the problem
    try:
        return inspect(engine).has_table("audit_log")
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


def _shown(url: str) -> str:
    """The URL without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "(unreadable database URL)"
