"""Shared by the admin commands: who is acting, and the services they act through."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lfr.access.roles import Actor
from lfr.access.services import Services
from lfr.config import Settings

Handler = Callable[[argparse.Namespace], int]


def add_data_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="state directory (default $LFR_DATA_DIR or ~/.local/share/openlfr)",
    )


def add_actor_args(parser: argparse.ArgumentParser) -> None:
    """``--user`` (or $LFR_USER); the password comes from $LFR_PASSWORD, stdin or a prompt."""
    add_data_dir_arg(parser)
    parser.add_argument("--user", default=os.environ.get("LFR_USER"), help="who is acting")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings.from_env(dict(os.environ), data_dir=getattr(args, "data_dir", None))


def open_services(args: argparse.Namespace) -> Services:
    from lfr.app import build_services

    return build_services(settings_from(args), os.environ)


def read_password(args: argparse.Namespace, prompt: str = "password: ") -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\n")
    if "LFR_PASSWORD" in os.environ:
        return os.environ["LFR_PASSWORD"]
    return getpass.getpass(prompt)


def login(services: Services, args: argparse.Namespace) -> Actor:
    """Authenticate the acting user (audited, with lock-out after repeated failures)."""
    from lfr.errors import AuthenticationError
    from lfr.governance.accounts.users import authenticate

    if not args.user:
        raise AuthenticationError("say who is acting: --user NAME (or $LFR_USER)")
    return authenticate(services, args.user, read_password(args))


@contextmanager
def acting(args: argparse.Namespace) -> Iterator[tuple[Services, Actor]]:
    """Open the services, log the acting user in, and close the services afterwards."""
    services = open_services(args)
    try:
        yield services, login(services, args)
    finally:
        services.db.dispose()


def with_actor(handler: Callable[[Services, Actor, argparse.Namespace], None]) -> Handler:
    """A command handler that acts as the logged-in user (see ``acting``)."""

    def run(args: argparse.Namespace) -> int:
        with acting(args) as (services, actor):
            handler(services, actor, args)
        return 0

    return run
