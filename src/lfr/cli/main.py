"""The ``lfr`` command line: parses arguments, calls the composition root, prints results.

Every expected failure (bad source, bad watchlist, bad argument) ends in one line on stderr and
a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from lfr import __version__
from lfr.alert.sinks import (
    AlertSink,
    FanOut,
    HumanSink,
    JsonLinesSink,
    SaveAlertsSink,
    summary_record,
)
from lfr.cli.argtypes import positive_int
from lfr.cli.engine_args import add_engine_args, load_config
from lfr.domain import RunSummary
from lfr.errors import LfrError, SourceError

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

    run = commands.add_parser("run", help="scan a video, stream, webcam or image folder")
    run.add_argument("source", help="video file, rtsp:// or http(s):// URL, webcam index, folder")
    _add_watchlist_args(run)
    add_engine_args(run)
    run.add_argument("--camera", help="camera name shown on alerts (default: from the source)")
    run.add_argument(
        "--realtime",
        action="store_true",
        help="play a video file at its own pace, dropping frames when behind",
    )
    run.add_argument("--max-frames", type=positive_int, help="stop after this many frames")
    _add_output_args(run)

    demo = commands.add_parser(
        "demo", help="built-in demo: a public-domain portrait enrolled and found in a clip"
    )
    add_engine_args(demo)
    _add_output_args(demo)

    watchlist = commands.add_parser("watchlist", help="enrol or inspect a watchlist file")
    wl_commands = watchlist.add_subparsers(
        dest="wl_command", required=True, parser_class=_OneLineParser
    )
    enrol = wl_commands.add_parser("enrol", help="enrol a folder into a watchlist file")
    enrol.add_argument("folder", type=Path, help="one sub-folder of photos per subject")
    enrol.add_argument("--out", type=Path, required=True, help="watchlist file to write (.npz)")
    add_engine_args(enrol)
    show = wl_commands.add_parser("show", help="list the subjects of a watchlist file")
    show.add_argument("file", type=Path)
    _register_admin(commands, wl_commands)
    return parser


def _register_admin(
    commands: argparse._SubParsersAction[_OneLineParser],
    wl_commands: argparse._SubParsersAction[_OneLineParser],
) -> None:
    """The governed system's commands; each sets ``handler`` on its parser."""
    from lfr.cli import (
        alerts,
        audit,
        deployments,
        evaluate,
        init,
        policy,
        serve,
        users,
        watchlists,
    )

    for module in (init, users, policy, deployments, alerts, audit, evaluate, serve):
        module.register(commands)
    watchlists.register(wl_commands)


def _add_watchlist_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--watchlist-dir", type=Path, help="enrol this folder before scanning")
    group.add_argument("--watchlist", type=Path, help="a watchlist file from 'lfr watchlist enrol'")


def _add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    parser.add_argument(
        "--save-alerts",
        type=Path,
        metavar="DIR",
        help="write each alert's probe and enrolled face (only matches) here",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return _dispatch(args)
    except LfrError as exc:
        print(f"lfr: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ValidationError as exc:
        detail = exc.errors()[0]
        where = ".".join(str(p) for p in detail["loc"])
        print(f"lfr: error: invalid setting {where}: {detail['msg']}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("lfr: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, SQLAlchemyError) as exc:
        # An unreachable database or an unwritable folder: one line, never a traceback.
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"lfr: error: {first}", file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    from lfr.cli import (
        scan as commands,  # heavy imports (dlib, OpenCV) only once arguments are valid
    )

    handler = getattr(args, "handler", None)
    if handler is not None:
        return int(handler(args))
    if args.command == "watchlist":
        if args.wl_command == "show":
            return commands.show_watchlist(args.file, sys.stdout)
        return commands.enrol_to_file(load_config(args), args.folder, args.out, sys.stderr)
    config = load_config(args)
    sink = _make_sink(args)
    if args.command == "demo":
        summary = commands.run_demo(config, sink, sys.stderr)
    else:
        summary = commands.run_scan(config, args, sink, sys.stderr)
    _print_summary(summary, args.json)
    if summary.source_error:
        raise SourceError(summary.source_error)
    return 0


def _make_sink(args: argparse.Namespace) -> AlertSink:
    sinks: list[AlertSink] = [JsonLinesSink(sys.stdout) if args.json else HumanSink(sys.stdout)]
    if args.save_alerts is not None:
        sinks.append(SaveAlertsSink(args.save_alerts))
    return FanOut(sinks)


def _print_summary(summary: RunSummary, as_json: bool) -> None:
    record = summary_record(summary)
    if as_json:
        print(json.dumps(record), flush=True)
        return
    print(
        f"\n{record['frames']} frames ({record['frames_dropped']} dropped) at {record['fps']}"
        f" frames/s; {record['faces_seen']} face detections in {record['tracks']} tracks;"
        f" {record['embeddings']} descriptors computed; {record['alerts']} alert(s)."
        "\nNo image, descriptor or record of any face that did not match was kept.",
        flush=True,
    )
