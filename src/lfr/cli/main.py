"""The ``lfr`` command line: parses arguments, calls the composition root, prints results.

Every expected failure (bad source, bad watchlist, bad argument) ends in one line on stderr and
a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from lfr import __version__
from lfr.cli.stopping import Terminated, exit_code, terminate_as_interrupt
from lfr.errors import LfrError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _OneLineParser(argparse.ArgumentParser):
    """argparse prints usage plus the error; we want one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"lfr: error: {message} (see 'lfr --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="lfr", description="OpenLFR: live facial recognition against a watchlist."
    )
    parser.add_argument("--version", action="version", version=f"lfr {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    _register(commands)
    return parser


def _register(commands: argparse._SubParsersAction[_OneLineParser]) -> None:
    """Every command module adds its parsers, each with a ``handler``."""
    from lfr.cli import init, metrics, serve
    from lfr.cli.engine import evaluate, models, scan
    from lfr.cli.fleet import edge, nats_server
    from lfr.cli.governed import (
        alerts,
        audit,
        deployments,
        documents,
        encounters,
        policy,
        reports,
        users,
        watchlist_details,
        watchlists,
    )

    scan.register(commands)
    watchlist = commands.add_parser("watchlist", help="enrol or inspect watchlists")
    wl_commands = watchlist.add_subparsers(
        dest="wl_command", required=True, parser_class=_OneLineParser
    )
    scan.register_watchlist_files(wl_commands)
    watchlists.register(wl_commands)
    watchlist_details.register(wl_commands)
    for module in (init, users, policy, deployments, alerts, audit, evaluate, models, serve):
        module.register(commands)
    encounters.register(commands)
    reports.register(commands)
    metrics.register(commands)
    documents.register(commands)
    edge.register(commands)
    nats_server.register(commands)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        with terminate_as_interrupt():
            return int(args.handler(args))
    except LfrError as exc:
        print(f"lfr: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        detail = exc.errors()[0]
        where = ".".join(str(p) for p in detail["loc"])
        print(f"lfr: error: invalid setting {where}: {detail['msg']}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("lfr: stopped by SIGTERM", file=sys.stderr)
        return exit_code(signal.SIGTERM)
    except KeyboardInterrupt:
        print("lfr: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, SQLAlchemyError) as exc:
        # An unreachable database or an unwritable folder: one line, never a traceback.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"lfr: error: {first}", file=sys.stderr)
        return 1
