"""``lfr metrics-token``: a new Prometheus scrape token for ``/metrics``.

The token goes to stdout alone, so it can be written straight into the scraper's credentials
file; only its SHA-256 digest stays in the data directory. The previous token stops working when
``lfr serve`` next starts.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lfr.cli.common import add_data_dir_arg, settings_from
from lfr.store.scrape_token import SCRAPE_TOKEN_FILE, new_scrape_token


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``lfr metrics-token``."""
    parser = commands.add_parser(
        "metrics-token",
        help="make a new scrape token for /metrics (printed once; only its hash is kept)",
    )
    add_data_dir_arg(parser)
    parser.set_defaults(handler=make_token)


def make_token(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    token = new_scrape_token(settings.data_dir)
    print(token, flush=True)
    print(
        f"lfr: scrape token written as a hash to {settings.data_dir / 'keys' / SCRAPE_TOKEN_FILE};"
        " give the token to Prometheus (authorization: credentials_file) and restart lfr serve",
        file=sys.stderr,
    )
    return 0
