"""Benchmark: `lfr run` against the face_recognition library's documented video loop, the two
embedder backends against each other, and crowds.

Run through ``bench/run.sh`` (it installs the baseline into the venv first). Everything is
measured side by side in one process, so ratios are meaningful on a noisy shared machine;
absolute figures are not. Results go to ``bench/out/`` (git-ignored):

- ``results.json``: every number below, plus the machine it was measured on;
- ``results.md``: the Markdown tables for ``bench/README.md``;
- ``fps.png``: frames per second and per-stage time (offline section, with the baseline);
- ``embedders.json`` (``--embedders``), ``crowd.json`` and ``crowd.png`` (``--crowd``),
  ``detectors.json`` (``--detectors``).

Sections (see ``bench/README.md`` for what each number means). Without section options, the
first three run; ``--embedders``, ``--crowd`` and ``--detectors`` run only what they name;
``--all`` runs all:

1. offline, same clip: baseline loop (face_locations + face_encodings on every frame) and lfr,
   in the order lfr / baseline / lfr (``--lfr-runs``), with the alerts each produced;
2. the clip upscaled to 1280x720 at 25 fps, played at real-time pace (frames dropped when lfr
   falls behind): one stream, then two streams at once; also the unpaced 720p capacity; once
   per embedder backend (``--backends``);
3. exact watchlist search over 10,000 and 20,000 random templates, per probe;
4. ``--embedders``: ms a descriptor, dlib against ONNX Runtime, their largest difference, and
   enrolment throughput per backend;
5. ``--crowd``: generated 720p street clips with 10, 20, 40 faces in view, played at real-time
   pace per backend, alerts scored against the clips' truth;
6. ``--detectors``: HOG, dlib's MMOD and MMOD on ONNX Runtime: recall and false detections on
   the boxed photos, faces found on the scenes and edge cases and the clip, ms a 640 px frame,
   their agreement, and which stays the CPU default.

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
from common import BACKENDS, BENCH, CLIP, DEFAULT_DATA, link_watchlist
from crowd_bench import crowd_section
from crowd_chart import save_crowd_chart
from detectors_bench import detectors_section
from embedders_bench import embedders_section
from goals import goals
from lfr.app import build_engine
from lfr.config import EngineConfig
from lfr.pipeline.engine import enrol_watchlist
from machine import cpu_share, cpu_times, loadavg, machine_info
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
    parser.add_argument(
        "--backends",
        type=backend_list,
        default=",".join(BACKENDS),
        help="embedder backends of the 720p and crowd sections, comma-separated"
        " (default %(default)s)",
    )
    parser.add_argument("--embedders", action="store_true", help="run the embedders section")
    parser.add_argument("--crowd", action="store_true", help="run the crowd section")
    parser.add_argument("--detectors", action="store_true", help="run the detectors section")
    parser.add_argument(
        "--mmod-every",
        type=int,
        default=10,
        help="detectors: dlib's MMOD (seconds a frame) on every Nth clip frame (%(default)s)",
    )
    parser.add_argument("--all", action="store_true", help="every section")
    parser.add_argument(
        "--embedder-rounds", type=int, default=21, help="timed calls of each variant"
    )
    parser.add_argument(
        "--enrol-copies",
        type=int,
        default=4,
        help="times the identity folders are repeated for the enrolment rate (16 photos each)",
    )
    parser.add_argument(
        "--crowd-sizes", type=int_list, default="10,20,40", help="faces in view (%(default)s)"
    )
    parser.add_argument(
        "--crowd-seconds", type=float, default=12.0, help="length of each crowd clip"
    )
    parser.add_argument(
        "--crowd-face-px",
        type=int_list,
        default="120,200",
        help="face height range in the crowd clips, MIN,MAX px (default %(default)s: the"
        " default detector, at 640 px wide, misses faces much under 120 px at 720p)",
    )
    parser.add_argument(
        "--crowd-detect-width",
        type=int,
        default=None,
        help="detector.max_width for the crowd runs (default: the engine default, 640)",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-realtime", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-cli", action="store_true", help="skip the `lfr run` cross-check")
    parser.add_argument(
        "--force-video", action="store_true", help="rewrite the 720p clip and the crowd clips"
    )
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--search-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.lfr_runs < 1 or args.streams < 1 or args.mmod_every < 1:
        parser.error("--lfr-runs, --streams and --mmod-every must be at least 1")
    if len(args.crowd_face_px) != 2 or not 40 <= args.crowd_face_px[0] <= args.crowd_face_px[1]:
        parser.error("--crowd-face-px takes MIN,MAX with 40 <= MIN <= MAX")
    classic = args.all or not (args.embedders or args.crowd or args.detectors)
    args.skip_offline = not classic
    args.skip_realtime = args.skip_realtime or not classic
    args.skip_search = args.skip_search or not classic
    args.embedders = args.embedders or args.all
    args.crowd = args.crowd or args.all
    args.detectors = args.detectors or args.all
    return args


def int_list(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def backend_list(text: str) -> list[str]:
    names = [x.strip() for x in text.split(",") if x.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"backends are among {', '.join(BACKENDS)}")
    return names


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
    """results.json, results.md (also printed), the sections' own JSON files and the charts."""
    written = [out / "results.json", out / "results.md"]
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (out / "results.md").write_text(table + "\n")
    sections = (("embedders", "embedders.json"), ("crowd", "crowd.json"))
    for section, name in (*sections, ("detectors", "detectors.json")):
        if section in results:
            data = {**results[section], "machine": results["machine"]}
            (out / name).write_text(json.dumps(data, indent=2) + "\n")
            written.append(out / name)
    if save_chart(results, out / "fps.png"):
        written.append(out / "fps.png")
    if "crowd" in results and save_crowd_chart(results["crowd"], out / "crowd.png"):
        written.append(out / "crowd.png")
    print(table)
    log.write(f"bench: wrote {', '.join(str(p) for p in written)}\n")


def search_section(bench: Bench) -> list[dict[str, Any]]:
    return [asdict(r) for r in search_rows(bench.args.search_probes)]


def run_sections(bench: Bench, results: dict[str, Any]) -> None:
    """The selected sections in order, each with the load average at its start."""
    args = bench.args
    sections = [
        ("offline", not args.skip_offline, offline_section),
        ("realtime_720p", not args.skip_realtime, realtime_section),
        ("search", not args.skip_search, search_section),
        ("embedders", args.embedders, embedders_section),
        ("crowd", args.crowd, crowd_section),
        ("detectors", args.detectors, detectors_section),
    ]  # fmt: skip
    for name, selected, run in sections:
        if selected:
            results["machine"]["loadavg_at_section"][name] = loadavg()
            results[name] = run(bench)


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
    results["machine"]["loadavg_at_section"] = {}
    run_sections(bench, results)
    results["machine"]["cpu_during_run"] = cpu_share(cpu_start)
    results["machine"]["loadavg_at_end"] = loadavg()
    results["goals"] = goals(results)
    write_outputs(results, out, sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
