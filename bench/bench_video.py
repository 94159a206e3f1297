"""Benchmark: `lfr run` against the face_recognition library's documented video loop.

Run through ``bench/run.sh`` (it installs the baseline into the venv first). Everything is
measured side by side in one process, so ratios are meaningful on a noisy shared machine;
absolute figures are not. Results go to ``bench/out/`` (git-ignored):

- ``results.json``: every number below, plus the machine it was measured on;
- ``results.md``: the Markdown table for ``bench/README.md``;
- ``fps.png``: frames per second and per-stage time (only if matplotlib is installed).

Sections (see ``bench/README.md`` for what each number means):

1. offline, same clip: baseline loop (face_locations + face_encodings on every frame) and lfr,
   in the order lfr / baseline / lfr (``--lfr-runs``), with the alerts each produced;
2. the clip upscaled to 1280x720 at 25 fps, played at real-time pace (frames dropped when lfr
   falls behind): one stream, then two streams at once; also the unpaced 720p capacity;
3. exact watchlist search over 10,000 and 20,000 random templates, per probe.

This script only reads the options and chains the sections; the work is in the modules beside
it (run as ``python bench/bench_video.py``, this folder is on sys.path).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from chart import save_chart
from common import BENCH, CLIP, DEFAULT_DATA, link_watchlist
from goals import goals
from lfr.app import build_engine
from lfr.config import EngineConfig
from lfr.pipeline.engine import enrol_watchlist
from machine import cpu_share, cpu_times, machine_info
from report import markdown
from search_bench import search_only, search_rows
from sections import Bench, offline_section, realtime_section


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="shared data folder (faces/, video/); default %(default)s",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="default %(default)s")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.6,
        help="baseline match distance (library default %(default)s)",
    )
    parser.add_argument(
        "--lfr-runs",
        type=int,
        default=2,
        help="lfr runs around the baseline: 1 = lfr, baseline; 2 = lfr,"
        " baseline, lfr (default %(default)s)",
    )
    parser.add_argument(
        "--max-frames",
        type=int,
        default=None,
        help="offline runs stop after this many frames (quick checks)",
    )
    parser.add_argument(
        "--realtime-fps", type=float, default=25.0, help="rate of the 720p clip (%(default)s)"
    )
    parser.add_argument("--streams", type=int, default=2, help="concurrent 720p streams")
    parser.add_argument(
        "--search-probes", type=int, default=2000, help="probes timed per watchlist size"
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-realtime", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-cli", action="store_true", help="skip the `lfr run` cross-check")
    parser.add_argument("--force-video", action="store_true", help="rewrite the 720p clip")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--search-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lfr_runs < 1 or args.streams < 1:
        parser.error("--lfr-runs and --streams must be at least 1")
    return args


def prepare(args: argparse.Namespace, results: dict[str, Any], log: TextIO) -> Bench:
    """Link and enrol the watchlist once; every lfr run shares it (enrolment is not timed)."""
    progress = not args.no_progress and sys.stderr.isatty()
    watchlist_dir = link_watchlist(args.data / "faces", args.out)
    config = EngineConfig()
    engine = build_engine(config)
    started = time.perf_counter()
    watchlist, report = enrol_watchlist(engine, watchlist_dir, progress=progress)
    results["lfr_enrolment"] = {
        "subjects": len(watchlist.subjects),
        "templates": watchlist.size,
        "skipped": [str(e) for e in report.errors],
        "seconds": round(time.perf_counter() - started, 2),
    }
    log.write(
        f"bench: lfr watchlist {len(watchlist.subjects)} subjects, {watchlist.size} templates\n"
    )
    return Bench(
        args, progress, args.data / CLIP, args.out, config, engine, watchlist, watchlist_dir, log
    )


def write_outputs(results: dict[str, Any], out: Path, log: TextIO) -> None:
    """results.json, results.md (also printed) and, if matplotlib is there, fps.png."""
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (out / "results.md").write_text(table + "\n")
    chart = save_chart(results, out / "fps.png")
    print(table)
    log.write(
        f"bench: wrote {out / 'results.json'}, {out / 'results.md'}"
        f"{', ' + str(out / 'fps.png') if chart else ' (no chart: matplotlib missing)'}\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.search_only:  # the child process of search_bench.search_single_blas_thread
        print(search_only(args.search_probes))
        return 0
    clip = args.data / CLIP
    if not clip.is_file():
        raise SystemExit(f"bench: clip not found: {clip} (use --data)")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine_info(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    cpu_start = cpu_times()
    bench = prepare(args, results, sys.stderr)
    results["offline"] = offline_section(bench)
    if not args.skip_realtime:
        results["realtime_720p"] = realtime_section(bench)
    if not args.skip_search:
        results["search"] = [asdict(r) for r in search_rows(args.search_probes)]
    results["machine"]["cpu_during_run"] = cpu_share(cpu_start)
    results["goals"] = goals(results)
    write_outputs(results, out, sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
