"""``lfr run``, ``lfr demo``, ``lfr watchlist enrol`` and ``lfr watchlist show``: scanning a
source against a watchlist file or folder, without the governed system.

The handlers import ``lfr.cli.engine.scanning`` (OpenCV, dlib) only once the arguments are valid.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lfr.cli.argtypes import positive_int
from lfr.cli.engine.engine_args import add_engine_args, load_config
from lfr.cli.stopping import StopRequest
from lfr.errors import SourceError

if TYPE_CHECKING:
    from lfr.alert.sinks import AlertSink
    from lfr.domain import RunSummary


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``run`` and ``demo``."""
    run = commands.add_parser("run", help="scan a video, stream, webcam or image folder")
    run.add_argument("source", help="video file, rtsp:// or http(s):// URL, webcam index, folder")
    group = run.add_mutually_exclusive_group(required=True)
    group.add_argument("--watchlist-dir", type=Path, help="enrol this folder before scanning")
    group.add_argument("--watchlist", type=Path, help="a watchlist file from 'lfr watchlist enrol'")
    add_engine_args(run)
    run.add_argument("--camera", help="camera name shown on alerts (default: from the source)")
    run.add_argument(
        "--realtime",
        action="store_true",
        help="play a video file at its own pace, dropping frames when behind",
    )
    run.add_argument("--max-frames", type=positive_int, help="stop after this many frames")
    _add_output_args(run)
    run.set_defaults(handler=run_command)

    demo = commands.add_parser(
        "demo", help="built-in demo: a public-domain portrait enrolled and found in a clip"
    )
    add_engine_args(demo)
    _add_output_args(demo)
    demo.set_defaults(handler=demo_command)


def register_watchlist_files(wl_commands: argparse._SubParsersAction[Any]) -> None:
    """Add ``watchlist enrol`` and ``watchlist show`` (watchlist files, no database)."""
    enrol = wl_commands.add_parser("enrol", help="enrol a folder into a watchlist file")
    enrol.add_argument("folder", type=Path, help="one sub-folder of photos per subject")
    enrol.add_argument("--out", type=Path, required=True, help="watchlist file to write (.npz)")
    add_engine_args(enrol)
    enrol.set_defaults(handler=enrol_command)
    show = wl_commands.add_parser("show", help="list the subjects of a watchlist file")
    show.add_argument("file", type=Path)
    show.set_defaults(handler=show_command)


def _add_output_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    parser.add_argument(
        "--save-alerts",
        type=Path,
        metavar="DIR",
        help="write each alert's probe and enrolled face (only matches) here",
    )


def run_command(args: argparse.Namespace) -> int:
    from lfr.cli.engine.scanning import ScanRequest, run_scan

    request = ScanRequest(
        source=args.source,
        watchlist_file=args.watchlist,
        watchlist_dir=args.watchlist_dir,
        camera=args.camera,
        realtime=args.realtime,
        max_frames=args.max_frames,
    )
    stop = StopRequest()
    summary = run_scan(load_config(args), request, _make_sink(args), sys.stderr, stop)
    return _finish(summary, args.json, stop)


def demo_command(args: argparse.Namespace) -> int:
    from lfr.cli.engine.scanning import run_demo

    stop = StopRequest()
    summary = run_demo(load_config(args), _make_sink(args), sys.stderr, stop)
    return _finish(summary, args.json, stop)


def enrol_command(args: argparse.Namespace) -> int:
    from lfr.cli.engine.scanning import enrol_to_file

    return enrol_to_file(load_config(args), args.folder, args.out, sys.stderr)


def show_command(args: argparse.Namespace) -> int:
    from lfr.cli.engine.scanning import show_watchlist

    return show_watchlist(args.file, sys.stdout)


def _make_sink(args: argparse.Namespace) -> AlertSink:
    from lfr.alert.sinks import FanOut, HumanSink, JsonLinesSink, SaveAlertsSink

    sinks: list[AlertSink] = [JsonLinesSink(sys.stdout) if args.json else HumanSink(sys.stdout)]
    if args.save_alerts is not None:
        sinks.append(SaveAlertsSink(args.save_alerts))
    return FanOut(sinks)


def _finish(summary: RunSummary, as_json: bool, stop: StopRequest) -> int:
    """Print the counts; a live source that gave up is an error even after a partial scan.
    Stopped by a signal: 130 after SIGINT, 143 after SIGTERM (``lfr.cli.stopping``)."""
    _print_summary(summary, as_json)
    if stop.signum is not None:
        print(f"lfr: {stop.note}", file=sys.stderr)
        return stop.code
    if summary.source_error:
        raise SourceError(summary.source_error)
    return 0


def _print_summary(summary: RunSummary, as_json: bool) -> None:
    from lfr.alert.sinks import summary_record

    record = summary_record(summary)
    if as_json:
        print(json.dumps(record), flush=True)
        return
    print(
        f"\n{record['frames']} frames ({record['frames_dropped']} dropped) at {record['fps']}"
        f" frames/s; {record['face_detections']} face detections in {record['tracks']} tracks;"
        f" {record['embeddings']} descriptors computed; {record['alerts']} alert(s)."
        "\nNo image, descriptor or record of any face that did not match was kept.",
        flush=True,
    )
