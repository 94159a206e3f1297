"""``lfr user``: add, list, disable, enable, change role, change one's own password.

The acting user logs in on every command (``--user`` or $LFR_USER; the password from
$LFR_PASSWORD, ``--password-stdin`` or a prompt). A new password comes from
``--new-password-stdin`` (the first line of stdin, or the second when ``--password-stdin``
takes the first), $LFR_NEW_PASSWORD, or a prompt asked twice.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.cli.common import (
    add_actor_args,
    open_services,
    read_password,
    with_actor,
)
from lfr.errors import AuthenticationError, LfrError

ROLE_CHOICES = [role.value for role in Role if role is not Role.SYSTEM]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    user = commands.add_parser("user", help="manage accounts and roles (admin)")
    sub = user.add_subparsers(dest="user_command", required=True, parser_class=type(user))

    add = sub.add_parser("add", help="create an account")
    add.add_argument("name", help="3-64 characters from a-z, 0-9, '.', '_', '-'")
    add.add_argument("--role", required=True, choices=ROLE_CHOICES)
    _add_new_password_arg(add)
    add.set_defaults(handler=_add)

    listing = sub.add_parser("list", help="list accounts (never their passwords)")
    listing.add_argument("--json", action="store_true", help="a JSON array on stdout")
    listing.set_defaults(handler=_list)

    disable = sub.add_parser("disable", help="disable an account (it can no longer log in)")
    disable.add_argument("name")
    disable.set_defaults(handler=_disable)

    enable = sub.add_parser("enable", help="enable an account again (also lifts a lock-out)")
    enable.add_argument("name")
    enable.set_defaults(handler=_enable)

    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLE_CHOICES)
    role.set_defaults(handler=_role)

    passwd = sub.add_parser("passwd", help="change your own password")
    _add_new_password_arg(passwd)
    passwd.set_defaults(handler=_passwd)

    training = sub.add_parser(
        "training", help="record a user's training, valid to the end of a day (UTC)"
    )
    training.add_argument("name")
    training.add_argument("--until", required=True, type=_end_of_day, help="YYYY-MM-DD")
    training.set_defaults(handler=_training)

    for parser in (add, listing, disable, enable, role, passwd, training):
        add_actor_args(parser)


def _add_new_password_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--new-password-stdin",
        action="store_true",
        help="read the new password from stdin (else $LFR_NEW_PASSWORD or a prompt)",
    )


def read_new_password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "new_password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    if "LFR_NEW_PASSWORD" in os.environ:
        return os.environ["LFR_NEW_PASSWORD"]
    password = getpass.getpass(prompt)
    if getpass.getpass("again: ") != password:
        raise LfrError("the two passwords differ")
    return password


@with_actor
def _add(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import create_user

    password = read_new_password(args, f"password for {args.name}: ")
    create_user(services, actor, args.name, password, Role(args.role))
    print(f"user {args.name} added (role {args.role})")


@with_actor
def _list(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import list_users

    users = list_users(services, actor)
    now = services.clock()
    if args.json:
        rows = [
            {
                "username": u.username,
                "role": u.role.value,
                "active": u.active,
                "failed_logins": u.failed_logins,
                "locked_until": _iso(u.locked_until),
                "created_at": _iso(u.created_at),
                "created_by": u.created_by,
                "training_until": _iso(u.training_until),
            }
            for u in users
        ]
        print(json.dumps(rows, indent=2))
        return
    width = max([len("USERNAME"), *(len(u.username) for u in users)])
    print(f"{'USERNAME':<{width}}  {'ROLE':<19}  {'STATE':<8}  CREATED")
    for u in users:
        state = "active" if u.active else "disabled"
        if u.locked_until is not None and now < u.locked_until:
            state = "locked"
        created = f"{u.created_at:%Y-%m-%d %H:%M} by {u.created_by}"
        print(f"{u.username:<{width}}  {u.role.value:<19}  {state:<8}  {created}")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _end_of_day(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None
    return datetime.combine(day, time(23, 59, 59), UTC)


@with_actor
def _training(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import set_training

    set_training(services, actor, args.name, args.until)
    print(f"user {args.name} holds a training record until {args.until:%Y-%m-%d}")


@with_actor
def _disable(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import disable_user

    disable_user(services, actor, args.name)
    print(f"user {args.name} disabled")


@with_actor
def _enable(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import enable_user

    enable_user(services, actor, args.name)
    print(f"user {args.name} enabled")


@with_actor
def _role(services: Services, actor: Actor, args: argparse.Namespace) -> None:
    from lfr.governance.accounts.users import set_role

    set_role(services, actor, args.name, Role(args.role))
    print(f"user {args.name} now has role {args.role}")


def _passwd(args: argparse.Namespace) -> int:
    from lfr.governance.accounts.users import authenticate, change_password

    if not args.user:
        raise AuthenticationError("say who is acting: --user NAME (or $LFR_USER)")
    services = open_services(args)
    try:
        old = read_password(args, "current password: ")
        actor = authenticate(services, args.user, old)
        revoked = change_password(services, actor, old, read_new_password(args, "new password: "))
    finally:
        services.db.dispose()
    ended = f"; {revoked} web session(s) and token(s) ended" if revoked else ""
    print(f"password of {args.user} changed{ended}")
    return 0
