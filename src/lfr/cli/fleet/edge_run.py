"""``lfr edge run --nats URL --creds FILE``: one edge node process, next to its cameras."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
from pathlib import Path
from typing import Any

from lfr.cli.engine.engine_args import add_engine_args, load_config
from lfr.cli.stopping import StopRequest, stop_on_signals

_RAISED = re.compile(r"^edge node [a-z0-9-]+: alert (\S+) raised$", re.M)
"""The line ``lfr edge run`` prints as each alert enters its outbox (``serve_node``'s ``say``)."""


def raised_alert_ids(output: str) -> list[str]:
    """The ids of the alerts an ``lfr edge run`` output says it raised, in order: what its
    operator (or a fault test, or the edge benchmark) compares with what the centre stored."""
    return _RAISED.findall(output)


def register_run(sub: argparse._SubParsersAction[Any]) -> None:
    run = sub.add_parser(
        "run", help="run this machine's edge node: the cameras the control centre commands"
    )
    run.add_argument("--nats", required=True, help="the bus, e.g. nats://centre:4222")
    run.add_argument("--creds", type=Path, required=True, help="from 'lfr edge add NAME --out'")
    run.add_argument(
        "--counts-every", type=float, default=5.0, help="seconds between counts (at most 10)"
    )
    add_engine_args(run, threshold_help=None, detect_width_help="detection width (default 640)")
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from lfr.app import CameraEngines
    from lfr.edge.credentials.files import read_credentials
    from lfr.edge.node.serve import serve_node

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    credentials = read_credentials(args.creds)
    engines = CameraEngines(load_config(args))
    stop = StopRequest()
    try:
        with stop_on_signals(stop):
            print(f"edge node {credentials.user} on {args.nats}", flush=True)
            asyncio.run(
                serve_node(
                    args.nats,
                    credentials,
                    engines,
                    stop.event,
                    counts_every_s=min(10.0, max(0.5, args.counts_every)),
                    say=lambda line: print(f"edge node {credentials.user}: {line}", flush=True),
                )
            )
    finally:
        engines.close()
    print(f"edge node {credentials.user} stopped; no snapshot kept", flush=True)
    return 0
