"""The benchmark's measured sections, each returning its part of results.json:

1. offline, same clip, same process: lfr / baseline / lfr, and the `lfr run` command (lfr with
   the default configuration: embedder ``auto``);
2. the clip at 720p played at real-time pace (one stream, then several), and unpaced capacity,
   with each embedder backend of ``--backends`` in turn.

The search, embedders and crowd sections live in search_bench.py, embedders_bench.py and
crowd_bench.py.
"""

from __future__ import annotations

import argparse
import statistics
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from baseline_run import run_baseline
from common import CLIP, REPO, TRUE_SUBJECT, backend_config, frame_count
from lfr.app import CameraEngines
from lfr.config import EngineConfig
from lfr.embed.registry import resolve_backend
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine
from lfr_runs import make_720p, run_cli, run_concurrently, run_lfr
from records import BaselineRun, LfrRun, lfr_alerts_ok
from report import fmt_alerts, fmt_hits

Job = Callable[[threading.Barrier], LfrRun]
"""One stream's run, started by run_concurrently once every stream is ready."""


@dataclass(slots=True)
class Bench:
    """What every section shares: the options, the enrolled watchlist, the first engine."""

    args: argparse.Namespace
    progress: bool
    clip: Path
    out: Path
    config: EngineConfig
    engine: Engine
    watchlist: Watchlist
    watchlist_dir: Path
    log: TextIO


# --------------------------------------------------------------------------- 1. offline


def offline_runs(bench: Bench) -> tuple[list[LfrRun], BaselineRun | None]:
    """lfr, baseline, lfr...: lfr on both sides of the baseline shows any drift of the machine."""
    args, log = bench.args, bench.log
    lfr_runs: list[LfrRun] = []
    baseline: BaselineRun | None = None
    for i in range(args.lfr_runs):
        label = f"run {i + 1}"
        r = run_lfr(
            label,
            bench.engine,
            bench.watchlist,
            bench.clip,
            False,
            bench.progress,
            max_frames=args.max_frames,
        )
        r.backend = resolve_backend(bench.config)
        lfr_runs.append(r)
        log.write(
            f"bench: lfr {label}: {r.frames} frames, {r.fps:.1f} fps,"
            f" alerts {fmt_alerts(r.alerts)}\n"
        )
        if i == 0 and not args.skip_baseline:
            baseline = run_baseline(
                bench.watchlist_dir, bench.clip, args.tolerance, bench.progress, args.max_frames
            )
            log.write(
                f"bench: baseline: {baseline.frames} frames, {baseline.fps:.2f} fps,"
                f" matched {fmt_hits(baseline.matches)}\n"
            )
    return lfr_runs, baseline


def offline_verdict(lfr_runs: list[LfrRun], baseline: BaselineRun | None) -> dict[str, Any]:
    verdict: dict[str, Any] = {"lfr_alerts_ok": all(lfr_alerts_ok(r) for r in lfr_runs)}
    if baseline is not None and baseline.fps > 0:
        speedups = [r.fps / baseline.fps for r in lfr_runs]
        verdict.update(
            speedup=round(statistics.mean(speedups), 2),
            speedup_min=round(min(speedups), 2),
            speedup_max=round(max(speedups), 2),
            speedup_goal_met=min(speedups) >= 5.0,  # the slower lfr run must reach it
            baseline_matched=baseline.matched_identities,
            baseline_false_identities=[i for i in baseline.matched_identities if i != TRUE_SUBJECT],
        )
    return verdict


def cli_check(bench: Bench, verdict: dict[str, Any]) -> dict[str, Any] | None:
    """The real command on the whole clip; skipped with --max-frames (it has no such limit)."""
    if bench.args.skip_cli or bench.args.max_frames is not None:
        return None
    cli = run_cli(bench.clip, bench.watchlist_dir)
    verdict["cli_alerts_ok"] = [a["subject"] for a in cli["alerts"]] == [TRUE_SUBJECT]
    bench.log.write(
        f"bench: `lfr run`: exit {cli['exit_code']}, {cli['wall_s']:.1f} s in all,"
        f" scan {cli['summary'].get('fps', '?')} fps, alerts"
        f" {[a['subject'] for a in cli['alerts']]}\n"
    )
    return cli


def offline_section(bench: Bench) -> dict[str, Any]:
    clip_frames = frame_count(bench.clip)
    lfr_runs, baseline = offline_runs(bench)
    verdict = offline_verdict(lfr_runs, baseline)
    cli = cli_check(bench, verdict)
    return {
        "clip": str(CLIP),
        "clip_frames": clip_frames,
        "baseline": asdict(baseline) if baseline else None,
        "lfr": [asdict(r) for r in lfr_runs],
        "cli": cli,
        "verdict": verdict,
    }


# --------------------------------------------------------------------------- 2. 720p


def stream_job(bench: Bench, engine: Engine, hd: Path, label: str, camera: str, paced: bool) -> Job:
    def job(barrier: threading.Barrier) -> LfrRun:
        return run_lfr(
            label, engine, bench.watchlist, hd, paced, bench.progress, camera=camera, start=barrier
        )

    return job


def every_stream(bench: Bench, engines: list[Engine], hd: Path, paced: bool) -> list[Job]:
    """The "N streams: camK" jobs, one engine each, to start together."""
    n = bench.args.streams
    return [
        stream_job(bench, engines[i], hd, f"{n} streams: cam{i + 1}", f"cam{i + 1}", paced)
        for i in range(n)
    ]


def paced_runs(bench: Bench, engines: list[Engine], hd: Path) -> list[LfrRun]:
    """One stream alone, then every stream at once, each at the clip's own pace."""
    runs = [
        run_lfr("1 stream", engines[0], bench.watchlist, hd, True, bench.progress, camera="cam1")
    ]
    if bench.args.streams > 1:
        runs += run_concurrently(every_stream(bench, engines, hd, paced=True))
    return runs


def capacity_runs(bench: Bench, engines: list[Engine], hd: Path) -> list[LfrRun]:
    """The same, unpaced: how many frames a second each stream could take."""
    capacity = run_concurrently([stream_job(bench, engines[0], hd, "1 stream", "cam1", False)])
    if bench.args.streams > 1:
        capacity += run_concurrently(every_stream(bench, engines, hd, paced=False))
    return capacity


def backend_runs(bench: Bench, backend: str, hd: Path) -> tuple[list[LfrRun], list[LfrRun]]:
    """Paced and unpaced runs with one embedder backend. The engines come from CameraEngines,
    as ``lfr serve`` builds them: a detector and an aligner a stream (dlib's objects are not
    shared between threads) and, for onnx-resnet, one batching embedding service for all."""
    cameras = CameraEngines(backend_config(bench.config, backend))
    engines = [cameras() for _ in range(bench.args.streams)]
    try:
        runs, capacity = paced_runs(bench, engines, hd), capacity_runs(bench, engines, hd)
    finally:
        for engine in engines:
            engine.close()
        cameras.close()
    for r in runs + capacity:
        r.backend = backend
    return runs, capacity


def realtime_section(bench: Bench) -> dict[str, Any]:
    args = bench.args
    hd, hd_frames = make_720p(
        bench.clip, bench.out / "hamilton_720p.mp4", args.realtime_fps, args.force_video
    )
    runs: list[LfrRun] = []
    capacity: list[LfrRun] = []
    for backend in args.backends:
        paced, unpaced = backend_runs(bench, backend, hd)
        runs += paced
        capacity += unpaced
    for r in runs:
        bench.log.write(
            f"bench: 720p realtime {r.backend} {r.label}: read {r.frames_read}, processed"
            f" {r.frames}, dropped {r.frames_dropped}, alerts"
            f" {fmt_alerts(r.alerts, latency=True)}\n"
        )
    return {
        "clip": str(hd.relative_to(REPO) if hd.is_relative_to(REPO) else hd),
        "clip_frames": hd_frames,
        "fps": args.realtime_fps,
        "clip_s": round(hd_frames / args.realtime_fps, 3),
        "runs": [asdict(r) for r in runs],
        "capacity": [asdict(r) for r in capacity],
        "alerts_ok": all(lfr_alerts_ok(r) for r in runs + capacity),
    }
