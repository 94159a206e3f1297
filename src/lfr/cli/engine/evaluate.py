"""``lfr evaluate DATASET``: measure accuracy and equitability, calibrate the threshold.

Writes ``report.json``, ``report.html`` (self-contained) and the figures to ``--out``, and
prints the headline (or, with ``--json``, the whole JSON report) on stdout.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from lfr.cli.argtypes import positive_int
from lfr.cli.engine.engine_args import add_engine_args, load_config

DEFAULT_OUT = Path("lfr-evaluation")


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``evaluate`` sub-command."""
    from lfr.evaluate.defaults import (
        DEFAULT_RULES,
        DEFAULT_SIZES,
        DEFAULT_TARGET_SIZE,
        DEFAULT_THRESHOLDS,
        TOLERANCE_S,
    )

    parser = commands.add_parser(
        "evaluate",
        help="measure TPIR/FPIR, FMR/FNMR and equitability on a labelled data set",
        description="Open-set 1:N identification and 1:1 verification rates by threshold,"
        " with 95% Clopper-Pearson intervals, FPIR scaled to larger watchlists, threshold"
        " calibration, per-group rates and, with --video, alerts on a clip with ground truth.",
    )
    parser.add_argument(
        "dataset",
        type=Path,
        help="folder with one sub-folder of photos per identity (unknown/: people on no"
        " watchlist), or a CSV of pairs: path_a,path_b,same_person",
    )
    parser.add_argument(
        "--thresholds",
        type=_distance,
        nargs="+",
        metavar="T",
        default=list(DEFAULT_THRESHOLDS),
        help="distance thresholds to tabulate (default %(default)s; the engine's is added)",
    )
    parser.add_argument(
        "--watchlist-size",
        dest="watchlist_sizes",
        type=positive_int,
        nargs="+",
        metavar="N",
        default=list(DEFAULT_SIZES),
        help="watchlist sizes to scale FPIR to (default %(default)s)",
    )
    parser.add_argument(
        "--target-fpir",
        type=_probability,
        default=Fraction(1, 6000),
        metavar="X",
        help="FPIR to calibrate the threshold for, e.g. 1/6000 or 0.0002 (default 1/6000)",
    )
    parser.add_argument(
        "--at-size",
        type=positive_int,
        default=DEFAULT_TARGET_SIZE,
        metavar="N",
        help="watchlist size of the calibration target (default %(default)s)",
    )
    parser.add_argument(
        "--groups", type=Path, metavar="FILE", help="CSV identity,group for per-group rates"
    )
    parser.add_argument(
        "--unknown-map",
        type=Path,
        metavar="FILE",
        help="CSV file,identity saying which unknown/ photos show the same person",
    )
    parser.add_argument(
        "--rotations",
        type=positive_int,
        default=1,
        metavar="K",
        help="repeat with the 2nd..Kth photo of each identity enrolled (default 1)",
    )
    parser.add_argument("--video", type=Path, metavar="CLIP", help="a clip to scan (with --truth)")
    parser.add_argument(
        "--truth",
        type=Path,
        metavar="FILE",
        help="who is on screen when: CSV subject,start_s,end_s (or JSON)",
    )
    parser.add_argument(
        "--rules",
        type=_rule,
        nargs="+",
        metavar="K/N",
        default=list(DEFAULT_RULES),
        help="alert rules for --video: K hits in a track's last N shots (default 1/1 2/3 3/5)",
    )
    parser.add_argument(
        "--video-tolerance",
        type=float,
        default=TOLERANCE_S,
        metavar="S",
        help="seconds of slack around a ground-truth appearance (default %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help="where to write report.json, report.html and the figures (default %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report on stdout")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_engine_args(
        parser,
        threshold_help="the engine's threshold: the headline and calibration row (default 0.5)",
        detect_width_help="shrink video frames to this width before detection (default 640)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from lfr.app import build_engine
    from lfr.evaluate.dataset import EvaluationInputError
    from lfr.evaluate.evaluation import EvaluationOptions, evaluate
    from lfr.evaluate.report import headline_lines, to_json, write_report

    # Wrong paths fail before the models load and photos are embedded.
    for what, path in (
        ("data set", args.dataset),
        ("--groups", args.groups),
        ("--unknown-map", args.unknown_map),
        ("--video", args.video),
        ("--truth", args.truth),
    ):
        if path is not None and not path.exists():
            raise EvaluationInputError(f"{what} not found: {path}")
    if (args.video is None) != (args.truth is None):
        raise EvaluationInputError("--video and --truth go together")
    engine = build_engine(load_config(args))
    options = EvaluationOptions(
        dataset=args.dataset,
        thresholds=args.thresholds,
        watchlist_sizes=args.watchlist_sizes,
        target_fpir=float(args.target_fpir),
        target_size=args.at_size,
        groups=args.groups,
        unknown_map=args.unknown_map,
        rotations=args.rotations,
        video=args.video,
        truth=args.truth,
        rules=args.rules,
        tolerance_s=args.video_tolerance,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    try:
        result = evaluate(engine, options)
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
    written = write_report(result, args.out)
    if args.json:
        sys.stdout.write(to_json(result.report))
    else:
        for line in headline_lines(result.report):
            print(line)
        print(f"report: {written['html']} and {written['json']}")
    return 0


def _distance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 < value <= 2.0:
        raise argparse.ArgumentTypeError(f"a distance threshold is in (0, 2]: {value}")
    return value


def _probability(text: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"not a rate like 1/6000 or 0.0002: {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a rate is between 0 and 1: {text}")
    return value


def _rule(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a rule is K/N, e.g. 2/3: {text!r}") from None
    if not 1 <= k <= n <= 50:
        raise argparse.ArgumentTypeError(f"a rule needs 1 <= K <= N <= 50: {text}")
    return k, n
