"""The crowd section: each crowd clip played at real-time pace through ``run_source`` with
each embedder backend, in one process, and the alerts scored against the clip's truth.

A true alert names a watchlisted identity that is on screen (at least ON_SCREEN_PCT of a face
of that identity visible) in the alert's frame; any other alert is false. An identity counts
as shown when one of its faces stays at least SHOWN_PCT visible for SHOWN_FRAMES frames in a
row (two best-shot windows: the fewest an alert can be built on); a shown identity with no
true alert is missed. The engine's 60 s cooldown allows one alert a subject a run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from common import REPO, backend_config, percentiles
from crowd_cast import Cast, build_cast
from crowd_clip import FPS, HEIGHT, WIDTH, CrowdParams, make_crowd_clip
from lfr.app import build_engine
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, enrol_watchlist
from lfr_runs import run_lfr
from records import AlertRecord, CrowdRun, CrowdScore
from sections import Bench

ON_SCREEN_PCT = 25
SHOWN_PCT = 50
SHOWN_FRAMES = 8
HELD_DROPPED_PCT = 5.0
"""A crowd is held in real time when fewer than this share of frames is dropped (by the
source, or by falling behind the clip's clock: see ``effective_fps``)."""

Truth = dict[str, Any]


def rows_of(truth: Truth) -> Iterator[tuple[int, list[int]]]:
    for index, rows in enumerate(truth["frames"]):
        for row in rows:
            yield index, row


def on_screen(truth: Truth) -> list[set[str]]:
    """Per frame: the identities with a face at least ON_SCREEN_PCT visible."""
    identity = {w["id"]: w["identity"] for w in truth["walkers"]}
    frames: list[set[str]] = [set() for _ in truth["frames"]]
    for index, row in rows_of(truth):
        if row[5] >= ON_SCREEN_PCT:
            frames[index].add(identity[row[0]])
    return frames


def shown_identities(truth: Truth) -> list[str]:
    """Watchlisted identities with a face SHOWN_PCT visible SHOWN_FRAMES frames in a row."""
    walkers = {w["id"]: w for w in truth["walkers"] if w["watchlisted"]}
    streak: dict[int, int] = {}
    shown: set[str] = set()
    for rows in truth["frames"]:
        seen = {r[0] for r in rows if r[0] in walkers and r[5] >= SHOWN_PCT}
        streak = {w: streak.get(w, 0) + 1 for w in seen}  # a walker not seen starts over
        shown.update(walkers[w]["identity"] for w, n in streak.items() if n >= SHOWN_FRAMES)
    return sorted(shown)


def score(truth: Truth, alerts: list[AlertRecord]) -> CrowdScore:
    present = on_screen(truth)
    watchlisted = {w["identity"] for w in truth["walkers"] if w["watchlisted"]}
    true: list[str] = []
    false: list[str] = []
    for a in alerts:
        frame = present[a.frame] if a.frame < len(present) else set()
        (true if a.subject in watchlisted and a.subject in frame else false).append(a.subject)
    shown = shown_identities(truth)
    return CrowdScore(sorted(true), sorted(false), shown, [i for i in shown if i not in true])


def crowd_density(truth: Truth) -> tuple[float, float]:
    """Mean faces per frame with their centre inside the frame, and at least half visible."""
    in_view = [sum(1 for r in rows if 0 <= (r[1] + r[3]) / 2 < WIDTH) for rows in truth["frames"]]
    visible = [sum(1 for r in rows if r[5] >= 50) for rows in truth["frames"]]
    return round(float(np.mean(in_view)), 1), round(float(np.mean(visible)), 1)


def effective_fps(frames: int, wall_s: float, clip_s: float) -> tuple[float, float]:
    """(frames processed a second of the run, seconds the run ended after the clip).

    A run can last longer than its clip: dlib's descriptor holds the GIL for ~0.1 s, so the
    player thread itself falls behind (its frames come late rather than dropped) and the last
    descriptors are computed after the end. Real time is measured on the longer of the two."""
    return round(frames / max(wall_s, clip_s), 1), round(max(0.0, wall_s - clip_s), 1)


def crowd_run(
    bench: Bench, engine: Engine, watchlist: Watchlist, clip: Path, truth: Truth, backend: str
) -> CrowdRun:
    crowd = truth["params"]["crowd"]
    load = os.getloadavg()[0]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run = run_lfr(
        f"crowd {crowd} {backend}", engine, watchlist, clip, True, bench.progress,
        camera=f"crowd{crowd}",
    )  # fmt: skip
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    clip_s = len(truth["frames"]) / FPS
    in_view, visible = crowd_density(truth)
    processed_fps, late_s = effective_fps(run.frames, wall, clip_s)
    return CrowdRun(
        backend=backend,
        crowd=crowd,
        clip_s=clip_s,
        faces_in_view=in_view,
        faces_visible=visible,
        detections_per_frame=round(run.face_detections / max(run.frames, 1), 1),
        frames_read=run.frames_read,
        frames=run.frames,
        frames_dropped=run.frames_dropped,
        dropped_pct=round(100.0 * run.frames_dropped / max(run.frames_read, 1), 1),
        processed_fps=processed_fps,
        late_s=late_s,
        tracks=run.tracks,
        embeddings=run.embeddings,
        descriptors_per_s=round(run.embeddings / max(run.wall_s, 1e-9), 1),
        cpu_pct=round(100.0 * cpu / wall, 0),
        wall_s=round(wall, 2),
        latency_ms=percentiles([a.latency_ms for a in run.alerts]),
        alerts=run.alerts,
        score=score(truth, run.alerts),
        stage_ms=run.stage_ms,
        loadavg_1m=round(load, 2),
        frames_carried=run.frames_carried,
    )


def largest_held(runs: list[CrowdRun], backends: list[str]) -> dict[str, int]:
    """Per backend, the largest crowd played with under HELD_DROPPED_PCT of its frames dropped
    by the source or by running late (0: none)."""
    return {
        b: max((r.crowd for r in runs if r.backend == b and held(r)), default=0) for b in backends
    }


def held(run: CrowdRun) -> bool:
    floor = FPS * (1.0 - HELD_DROPPED_PCT / 100.0)
    return run.dropped_pct < HELD_DROPPED_PCT and run.processed_fps > floor


def cast_record(cast: Cast) -> dict[str, Any]:
    return {
        "enrolled": {i: [p.name for p in photos] for i, photos in cast.enrol.items()},
        "shown": sorted({s.photo for s in cast.watchlisted}),
        "same_photo": sorted({s.identity for s in cast.watchlisted if s.same_photo}),
        "unknown": sorted(s.photo for s in cast.unknown),
    }


def crowd_clips(bench: Bench, cast: Cast) -> list[tuple[Path, Truth]]:
    args = bench.args
    return [
        make_crowd_clip(
            cast,
            CrowdParams(n, args.crowd_seconds, tuple(args.crowd_face_px)),
            bench.out,
            args.force_video,
            bench.progress,
        )
        for n in args.crowd_sizes
    ]


def crowd_section(bench: Bench) -> dict[str, Any]:
    args = bench.args
    cast = build_cast(args.data / "faces", bench.out / "crowd_watchlist")
    clips = crowd_clips(bench, cast)
    configs = {b: backend_config(bench.config, b, args.crowd_detect_width) for b in args.backends}
    engines = {b: build_engine(c) for b, c in configs.items()}
    try:
        # Both backends give the same descriptors under one contract: one watchlist serves both.
        watchlist, report = enrol_watchlist(
            engines[args.backends[-1]], bench.out / "crowd_watchlist", progress=False
        )
        runs: list[CrowdRun] = []
        for i, (clip, truth) in enumerate(clips):
            order = args.backends if i % 2 == 0 else args.backends[::-1]  # alternate who goes first
            for backend in order:
                run = crowd_run(bench, engines[backend], watchlist, clip, truth, backend)
                runs.append(run)
                bench.log.write(
                    f"bench: crowd {run.crowd} {backend}: {run.frames}/{run.frames_read} frames"
                    f" ({run.dropped_pct:.0f}% dropped, {run.frames_carried} carried),"
                    f" {run.descriptors_per_s:.0f} descr/s,"
                    f" alerts true {run.score.true_alerts} false {run.score.false_alerts}\n"
                )
    finally:
        for engine in engines.values():
            engine.close()
    return {
        "clips": [
            {
                "crowd": t["params"]["crowd"],
                "clip": str(c.relative_to(REPO) if c.is_relative_to(REPO) else c),
                "frames": len(t["frames"]),
                "walkers": len(t["walkers"]),
                "watchlisted_walkers": sum(1 for w in t["walkers"] if w["watchlisted"]),
            }
            for c, t in clips
        ],
        "size": [WIDTH, HEIGHT],
        "fps": FPS,
        "face_px": list(args.crowd_face_px),
        "detect_width": configs[args.backends[0]].detector.max_width,
        "cast": cast_record(cast),
        "watchlist": {"templates": watchlist.size, "skipped": [str(e) for e in report.errors]},
        "runs": [asdict(r) for r in runs],
        "largest_held": largest_held(runs, args.backends),
    }
