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
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from lfr.app import build_engine
from lfr.config import EngineConfig
from lfr.domain import Alert, Frame, RunSummary
from lfr.ingest.base import FrameSource, SourceStats
from lfr.ingest.video_file import VideoFileSource
from lfr.match.index import ExactIndex
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, enrol_watchlist, run_source

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_DATA = Path(os.environ.get("LFR_TEST_DATA", REPO.parent / "shared" / "data"))
"""../shared/data beside the checkout (here /work/shared/data), as the end-to-end tests use."""
CLIP = Path("video") / "short_hamilton_clip.mp4"
TRUE_SUBJECT = "lin_manuel_miranda"
"""The one watchlisted person the clip should alert on (see tests/e2e/test_clip_alerts.py)."""
EXAMPLE_TOLERANCE = 0.5
"""The tolerance facerec_from_video_file.py itself passes to compare_faces (library default 0.6)."""
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class AlertRecord:
    subject: str
    frame: int
    time_s: float
    distance: float
    track: int
    camera: str
    latency_ms: float

    @classmethod
    def of(cls, alert: Alert) -> AlertRecord:
        return cls(
            subject=alert.subject.reference,
            frame=alert.frame,
            time_s=round(alert.time_s, 3),
            distance=round(alert.distance, 4),
            track=alert.track,
            camera=alert.camera,
            latency_ms=round(1000.0 * alert.latency_s, 1),
        )


@dataclass(slots=True)
class LfrRun:
    label: str
    frames: int
    frames_read: int
    frames_dropped: int
    faces_seen: int
    tracks: int
    embeddings: int
    wall_s: float
    fps: float
    stage_ms: dict[str, float]
    alerts: list[AlertRecord]
    pickup_age_ms: dict[str, float] = field(default_factory=dict)
    """How old each frame was when the pipeline took it (realtime: time spent in the slot)."""

    @property
    def alert_subjects(self) -> list[str]:
        return [a.subject for a in self.alerts]


@dataclass(slots=True)
class IdentityHits:
    identity: str
    frames: int
    """Frames in which at least one face's nearest template was this identity, within tolerance."""
    first_frame: int
    first_time_s: float
    min_distance: float


@dataclass(slots=True)
class BaselineRun:
    frames: int
    faces: int
    wall_s: float
    fps: float
    stage_ms: dict[str, float]
    tolerance: float
    matches: list[IdentityHits]
    matches_at_example_tolerance: list[IdentityHits]
    enrolled_encodings: int
    enrol_skipped: list[str]

    @property
    def matched_identities(self) -> list[str]:
        return [m.identity for m in self.matches]


@dataclass(slots=True)
class SearchResult:
    blas_threads: str
    """OpenBLAS threads numpy used: "default" (as lfr runs today) or "1" (pinned by env)."""
    templates: int
    dimension: int
    probes: int
    median_ms: float
    p95_ms: float
    batch_per_probe_ms: float
    agrees_with_bruteforce: bool


# --------------------------------------------------------------------------- helpers


def machine_info() -> dict[str, Any]:
    model, flags = "unknown", ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and model == "unknown":
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = value
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, dirty = "", ""
    import dlib

    try:
        baseline_version = importlib.metadata.version("face_recognition")
    except importlib.metadata.PackageNotFoundError:
        baseline_version = "not installed"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "avx512f": " avx512f" in flags,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "dlib": getattr(dlib, "__version__", "?"),
        "dlib_use_blas": bool(getattr(dlib, "DLIB_USE_BLAS", False)),
        "face_recognition": baseline_version,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "lfr_commit": commit + (" (src/ has uncommitted changes)" if dirty else ""),
    }


def cpu_times() -> tuple[float, float, float]:
    """(total, idle, steal) jiffies over all CPUs, from /proc/stat; zeros if unreadable."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return 0.0, 0.0, 0.0
    values = [float(v) for v in fields]
    steal = values[7] if len(values) > 7 else 0.0
    return sum(values[:8]), values[3] + values[4], steal


def cpu_share(start: tuple[float, float, float]) -> dict[str, float]:
    """Busy and stolen (taken by the hypervisor for other guests) shares of CPU since start."""
    end = cpu_times()
    total = end[0] - start[0]
    if total <= 0:
        return {}
    return {
        "busy_pct": round(100.0 * (total - (end[1] - start[1])) / total, 1),
        "steal_pct": round(100.0 * (end[2] - start[2]) / total, 1),
    }


def link_watchlist(faces: Path, out: Path) -> Path:
    """Every identity folder of ``faces`` except unknown/, linked (not copied) under ``out``."""
    root = out / "watchlist"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        old.unlink()
    for folder in sorted(faces.iterdir()):
        if folder.is_dir() and folder.name != "unknown" and not folder.name.startswith("."):
            (root / folder.name).symlink_to(folder.resolve())
    return root


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    arr = np.asarray(values, dtype=np.float64)
    return {
        "n": float(arr.size),
        "p50": round(float(np.percentile(arr, 50)), 1),
        "p95": round(float(np.percentile(arr, 95)), 1),
        "max": round(float(arr.max()), 1),
    }


def frame_count(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    finally:
        capture.release()


class TimedSource:
    """Wraps a FrameSource: time spent fetching each frame, frame age at pickup, progress."""

    def __init__(self, inner: FrameSource, bar: tqdm[Any] | None) -> None:
        self.inner = inner
        self.camera = inner.camera
        self.description = inner.description
        # Newer FrameSource protocols carry this flag; a video file is never still images.
        self.still_images: bool = bool(getattr(inner, "still_images", False))
        self.fetch_s = 0.0
        self.ages_ms: list[float] = []
        self._bar = bar

    def frames(self) -> Iterator[Frame]:
        iterator = self.inner.frames()
        while True:
            started = time.perf_counter()
            frame = next(iterator, None)
            self.fetch_s += time.perf_counter() - started
            if frame is None:
                return
            if frame.captured_at:
                self.ages_ms.append(1000.0 * (time.monotonic() - frame.captured_at))
            if self._bar is not None:
                self._bar.update(1)
            yield frame

    def stats(self) -> SourceStats:
        return self.inner.stats()

    def close(self) -> None:
        self.inner.close()


def run_lfr(
    label: str,
    engine: Engine,
    watchlist: Watchlist,
    clip: Path,
    realtime: bool,
    progress: bool,
    camera: str = "hamilton",
    max_frames: int | None = None,
    start: threading.Barrier | None = None,
) -> LfrRun:
    source = VideoFileSource(clip, camera=camera, realtime=realtime)
    total = max_frames or frame_count(clip)
    alerts: list[Alert] = []
    with tqdm(total=total, desc=label, unit="fr", disable=not progress, leave=False) as bar:
        timed = TimedSource(source, bar)
        if start is not None:
            start.wait()
        summary: RunSummary = run_source(engine, timed, watchlist, alerts.append, max_frames)
    stats = timed.stats()
    stage_ms = {k: round(v, 2) for k, v in sorted(summary.stage_ms.items())}
    if not realtime:  # in realtime mode this is waiting for the paced player, not decoding
        stage_ms = {"decode": round(1000.0 * timed.fetch_s / max(summary.frames, 1), 2), **stage_ms}
    return LfrRun(
        label=label,
        frames=summary.frames,
        frames_read=stats.frames_read,
        frames_dropped=summary.frames_dropped,
        faces_seen=summary.faces_seen,
        tracks=summary.tracks,
        embeddings=summary.embeddings,
        wall_s=round(summary.wall_s, 3),
        fps=round(summary.frames / summary.wall_s, 2) if summary.wall_s else 0.0,
        stage_ms=stage_ms,
        alerts=[AlertRecord.of(a) for a in alerts],
        pickup_age_ms=percentiles(timed.ages_ms) if realtime else {},
    )


def run_concurrently(jobs: list[Callable[[threading.Barrier], LfrRun]]) -> list[LfrRun]:
    """Start every job at the same moment, each on its own thread; re-raise the first error."""
    barrier = threading.Barrier(len(jobs))
    results: list[LfrRun | None] = [None] * len(jobs)
    errors: list[BaseException] = []

    def target(i: int) -> None:
        try:
            results[i] = jobs[i](barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [
        threading.Thread(target=target, args=(i,), name=f"bench-{i}") for i in range(len(jobs))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


# --------------------------------------------------------------------------- baseline


def baseline_enrol(watchlist_dir: Path) -> tuple[list[str], npt.NDArray[np.float64], list[str]]:
    """The documented way: load_image_file, face_encodings(image)[0], one per image."""
    import face_recognition  # type: ignore[import-untyped]

    names: list[str] = []
    encodings: list[npt.NDArray[np.float64]] = []
    skipped: list[str] = []
    for folder in sorted(p for p in watchlist_dir.iterdir() if p.is_dir()):
        for image_path in sorted(folder.iterdir()):
            if image_path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            image = face_recognition.load_image_file(str(image_path))
            found = face_recognition.face_encodings(image)
            if not found:
                skipped.append(f"{folder.name}/{image_path.name}: no face")
                continue
            names.append(folder.name)
            encodings.append(np.asarray(found[0], dtype=np.float64))
    return names, np.stack(encodings), skipped


def summarise_hits(
    nearest: list[list[tuple[str, float]]], fps: float, tolerance: float
) -> list[IdentityHits]:
    hits: dict[str, IdentityHits] = {}
    for index, faces in enumerate(nearest):
        seen: set[str] = set()
        for identity, distance in faces:
            if distance > tolerance:
                continue
            record = hits.get(identity)
            if record is None:
                record = IdentityHits(identity, 0, index, round(index / fps, 3), 9.9)
                hits[identity] = record
            record.min_distance = round(min(record.min_distance, distance), 4)
            if identity not in seen:
                record.frames += 1
                seen.add(identity)
    return sorted(hits.values(), key=lambda h: h.first_frame)


def run_baseline(
    watchlist_dir: Path, clip: Path, tolerance: float, progress: bool, max_frames: int | None
) -> BaselineRun:
    """examples/facerec_from_video_file.py: every frame, face_locations then face_encodings."""
    import face_recognition

    names, known, skipped = baseline_enrol(watchlist_dir)
    capture = cv2.VideoCapture(str(clip))
    fps = float(capture.get(cv2.CAP_PROP_FPS)) or 25.0
    total = max_frames or int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    stage = dict.fromkeys(("decode", "locations", "encodings", "match"), 0.0)
    nearest: list[list[tuple[str, float]]] = []
    faces = 0
    started = time.perf_counter()
    try:
        bar = tqdm(total=total, desc="baseline", unit="fr", disable=not progress, leave=False)
        with bar:
            while max_frames is None or len(nearest) < max_frames:
                t0 = time.perf_counter()
                ok, frame = capture.read()
                if not ok:
                    break
                # The example's frame[:, :, ::-1], as a contiguous array (same pixels).
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                t1 = time.perf_counter()
                locations = face_recognition.face_locations(rgb)  # HOG, upsample 1
                t2 = time.perf_counter()
                encodings = face_recognition.face_encodings(rgb, locations)
                t3 = time.perf_counter()
                found: list[tuple[str, float]] = []
                for encoding in encodings:
                    distances = face_recognition.face_distance(known, encoding)
                    best = int(np.argmin(distances))
                    found.append((names[best], float(distances[best])))
                t4 = time.perf_counter()
                for key, seconds in zip(stage, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    stage[key] += seconds
                faces += len(encodings)
                nearest.append(found)
                bar.update(1)
    finally:
        capture.release()
    wall = time.perf_counter() - started
    frames = len(nearest)
    return BaselineRun(
        frames=frames,
        faces=faces,
        wall_s=round(wall, 3),
        fps=round(frames / wall, 2) if wall else 0.0,
        stage_ms={k: round(1000.0 * v / max(frames, 1), 2) for k, v in stage.items()},
        tolerance=tolerance,
        matches=summarise_hits(nearest, fps, tolerance),
        matches_at_example_tolerance=summarise_hits(nearest, fps, EXAMPLE_TOLERANCE),
        enrolled_encodings=len(names),
        enrol_skipped=skipped,
    )


# --------------------------------------------------------------------------- the command


def run_cli(clip: Path, watchlist_dir: Path) -> dict[str, Any]:
    """``lfr run CLIP --watchlist-dir DIR --json`` as a user runs it, in a child process.

    Its wall time includes interpreter start, model loading and enrolment; its summary line
    (``summary_record``) has the scan's own frames per second.
    """
    command = [sys.executable, "-m", "lfr", "run", str(clip), "--watchlist-dir",
               str(watchlist_dir), "--json"]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    records: list[dict[str, Any]] = [
        json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")
    ]
    summary: dict[str, Any] = next((r for r in records if r.get("type") == "summary"), {})
    return {
        "command": "lfr run <clip> --watchlist-dir <watchlist> --json",
        "exit_code": done.returncode,
        "wall_s": round(wall, 2),
        "summary": summary,
        "alerts": [r for r in records if r.get("type") == "alert"],
        "stderr_tail": done.stderr.strip().splitlines()[-3:],
    }


# --------------------------------------------------------------------------- 720p, search


def make_720p(clip: Path, out: Path, fps: float, force: bool) -> tuple[Path, int]:
    """The clip upscaled to 1280x720 (INTER_LINEAR), written at ``fps`` with mp4v."""
    if out.exists() and not force and frame_count(out) > 0:
        return out, frame_count(out)
    capture = cv2.VideoCapture(str(clip))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), fps, (1280, 720))
    if not writer.isOpened():
        raise SystemExit(f"bench: OpenCV cannot write {out} with mp4v")
    written = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            writer.write(cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_LINEAR))
            written += 1
    finally:
        capture.release()
        writer.release()
    return out, written


SEARCH_SIZES = (10_000, 20_000)
SEARCH_BATCH = 32
"""Probes a call in the batched timing (several faces, or several cameras' faces, at once)."""
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def search_single_blas_thread(probes: int) -> list[SearchResult]:
    """The same search in a child process whose BLAS is pinned to one thread (an environment
    variable read when numpy loads, so it cannot be changed in this process)."""
    env = {**os.environ, **dict.fromkeys(BLAS_ENV, "1")}
    command = [sys.executable, str(Path(__file__).resolve()), "--search-only"]
    done = subprocess.run(
        [*command, "--search-probes", str(probes)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return [SearchResult(**row) for row in json.loads(done.stdout)]


def bench_search(size: int, probes: int, seed: int = 0) -> SearchResult:
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((size, 128)).astype(np.float32)
    templates /= np.linalg.norm(templates, axis=1, keepdims=True) * 1.6  # dlib-like norms
    queries = rng.standard_normal((probes, 128)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True) * 1.6
    index = ExactIndex(templates)
    for q in queries[:50]:  # warm-up
        index.search(q[None, :])
    times = []
    agree = True
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        distances, found = index.search(q[None, :])
        times.append(1000.0 * (time.perf_counter() - t0))
        if i < 20:
            truth = np.linalg.norm(templates - q, axis=1)
            agree &= int(found[0, 0]) == int(truth.argmin())
            agree &= abs(float(distances[0, 0]) - float(truth.min())) < 1e-4
    t0 = time.perf_counter()
    for chunk in range(0, probes, SEARCH_BATCH):
        index.search(queries[chunk : chunk + SEARCH_BATCH])
    batch = 1000.0 * (time.perf_counter() - t0) / probes
    return SearchResult(
        blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        templates=size,
        dimension=128,
        probes=probes,
        median_ms=round(statistics.median(times), 4),
        p95_ms=round(float(np.percentile(times, 95)), 4),
        batch_per_probe_ms=round(batch, 4),
        agrees_with_bruteforce=bool(agree),
    )


# --------------------------------------------------------------------------- reporting


def lfr_alerts_ok(run: LfrRun) -> bool:
    return run.alert_subjects == [TRUE_SUBJECT]


def fmt_alerts(alerts: list[AlertRecord], latency: bool = False) -> str:
    if not alerts:
        return "none"
    parts = []
    for a in alerts:
        text = f"{a.subject} f{a.frame} t={a.time_s:.2f}s d={a.distance:.3f}"
        if latency:
            text += f" latency {a.latency_ms:.0f} ms"
        parts.append(text)
    return "; ".join(parts)


def fmt_hits(hits: list[IdentityHits]) -> str:
    if not hits:
        return "none"
    return "; ".join(
        f"{h.identity} ({h.frames} fr, first f{h.first_frame} t={h.first_time_s:.2f}s,"
        f" min d={h.min_distance:.3f})"
        for h in hits
    )


def fmt_stages(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in stages.items())


def goals(results: dict[str, Any]) -> list[dict[str, str]]:
    """Each goal of ../shared/guide/performance.md, what this run measured, whether it was met."""
    rows: list[dict[str, str]] = []

    def add(goal: str, measured: str, met: bool | None) -> None:
        verdict = "n/a" if met is None else ("met" if met else "NOT met")
        rows.append({"goal": goal, "measured": measured, "verdict": verdict})

    offline = results.get("offline") or {}
    verdict = offline.get("verdict", {})
    if "speedup" in verdict:
        add(
            ">= 5x the baseline's frames/s, same clip, same run",
            f"{verdict['speedup']:.1f}x (lfr runs {verdict['speedup_min']:.1f}x"
            f"-{verdict['speedup_max']:.1f}x)",
            bool(verdict["speedup_goal_met"]),
        )
    if offline:
        runs = offline["lfr"]
        seen = [f"{r['label']}: {[a['subject'] for a in r['alerts']]}" for r in runs]
        ok = bool(verdict.get("lfr_alerts_ok"))
        if offline.get("cli"):
            seen.append(f"`lfr run`: {[a['subject'] for a in offline['cli']['alerts']]}")
            ok = ok and bool(verdict.get("cli_alerts_ok"))
        add(f"the true alert ({TRUE_SUBJECT}) and no false one", "; ".join(seen), ok)
    realtime = results.get("realtime_720p")
    if realtime:
        multi = [r for r in realtime["runs"] if "streams" in r["label"]]
        capacity = [r for r in realtime.get("capacity", []) if "streams" in r["label"]]
        if multi:
            read = sum(r["frames_read"] for r in multi)
            dropped = sum(r["frames_dropped"] for r in multi)
            worst_fps = min(r["fps"] for r in capacity) if capacity else 0.0
            if capacity:
                add(
                    f"{len(multi)} x 720p streams at once: capacity >= {realtime['fps']:.0f} fps"
                    " a stream (unpaced, every frame)",
                    f"slowest stream {worst_fps:.1f} fps",
                    worst_fps >= realtime["fps"],
                )
            add(
                f"{len(multi)} x 720p {realtime['fps']:.0f} fps streams played at real-time"
                " pace with no frame dropped",
                f"{read - dropped}/{read} frames processed ({100.0 * dropped / max(read, 1):.0f}%"
                " dropped)",
                dropped == 0,
            )
        latencies = [a["latency_ms"] for r in realtime["runs"] for a in r["alerts"]]
        if latencies:
            add(
                "frame-to-alert latency p95 < 500 ms (realtime runs)",
                f"{len(latencies)} alerts: " + ", ".join(f"{x:.0f}" for x in latencies) + " ms",
                max(latencies) < 500.0,
            )
    for row in results.get("search") or []:
        if row["templates"] == 10_000:
            add(
                f"exact search over 10,000 templates < 1 ms a probe (BLAS threads:"
                f" {row['blas_threads']})",
                f"median {row['median_ms']:.3f} ms, p95 {row['p95_ms']:.3f} ms",
                row["p95_ms"] < 1.0,
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Measured {m['date']} on {m['nproc']} cores, {m['cpu_model']}"
        f" (AVX-512: {'yes' if m['avx512f'] else 'no'}), load average at start"
        f" {m['loadavg_at_start'][0]}; dlib {m['dlib']} (BLAS: {m['dlib_use_blas']}),"
        f" face_recognition {m.get('face_recognition', '?')},"
        f" OpenCV {m['opencv']}, Python {m['python']}, lfr {m['lfr_commit']}."
        f" CPU during the run: {m.get('cpu_during_run', {}).get('busy_pct', '?')}% busy,"
        f" {m.get('cpu_during_run', {}).get('steal_pct', '?')}% stolen by the hypervisor.",
        "",
    ]
    rows = results.get("goals") or []
    if rows:
        lines += ["| goal | measured | verdict |", "|---|---|---|"]
        lines += [f"| {r['goal']} | {r['measured']} | **{r['verdict']}** |" for r in rows]
        lines.append("")
    offline = results.get("offline")
    if offline:
        base = offline.get("baseline")
        runs = offline["lfr"]
        lines += [
            f"### Same clip, offline ({offline['clip']}, {offline['clip_frames']} frames)",
            "",
            "| run | frames | wall s | frames/s | ms a frame by stage | alerts |",
            "|---|---|---|---|---|---|",
        ]
        rows = []
        for run in runs:
            rows.append((run["label"], run))
            if base and run is runs[0]:
                rows.append(("baseline", base))
        for label, run in rows:
            if label == "baseline":
                alerts = (
                    f"no alert logic; frames matched at {run['tolerance']}: "
                    f"{fmt_hits([IdentityHits(**h) for h in run['matches']])}"
                )
                name = "face_recognition loop (baseline)"
            else:
                alerts = fmt_alerts([AlertRecord(**a) for a in run["alerts"]])
                name = f"lfr ({label})"
            lines.append(
                f"| {name} | {run['frames']} | {run['wall_s']:.1f} | **{run['fps']:.1f}** |"
                f" {fmt_stages(run['stage_ms'])} | {alerts} |"
            )
        lines.append("")
        verdict = offline["verdict"]
        if base:
            lines.append(
                f"- lfr / baseline frames per second: **{verdict['speedup']:.1f}x** (mean of the"
                f" lfr runs; range {verdict['speedup_min']:.1f}x-{verdict['speedup_max']:.1f}x;"
                f" goal >= 5x: {'met' if verdict['speedup_goal_met'] else 'NOT met'})."
            )
            lines.append(
                f"- Baseline at the example's own tolerance {EXAMPLE_TOLERANCE}: "
                f"{fmt_hits([IdentityHits(**h) for h in base['matches_at_example_tolerance']])}."
            )
        cli = offline.get("cli")
        if cli:
            alerts = ", ".join(
                f"{a['subject']} f{a['frame']} t={a['time_s']:.2f}s d={a['distance']:.3f}"
                for a in cli["alerts"]
            )
            lines.append(
                f"- `{cli['command']}` (child process, exit {cli['exit_code']}):"
                f" {cli['wall_s']:.1f} s in all (start-up, model loading and enrolment included);"
                f" its summary line: {cli['summary'].get('frames', '?')} frames at"
                f" {cli['summary'].get('fps', '?')} frames/s; alerts: {alerts or 'none'}."
            )
        lines.append(
            f"- lfr alerts exactly [{TRUE_SUBJECT}] in every run, no other alert:"
            f" **{'yes' if verdict['lfr_alerts_ok'] else 'NO'}**."
        )
        lines.append("")
    realtime = results.get("realtime_720p")
    if realtime:
        lines += [
            f"### 720p at real-time pace ({realtime['clip']}, 1280x720, {realtime['fps']:.0f}"
            f" fps, {realtime['clip_frames']} frames = {realtime['clip_s']:.1f} s)",
            "",
            "| run | read | processed | dropped | processed/s (of "
            f"{realtime['fps']:.0f}) | frame age at pickup p50/p95 ms | alerts (latency frame"
            " to alert) |",
            "|---|---|---|---|---|---|---|",
        ]
        for run in realtime["runs"]:
            dropped_pct = 100.0 * run["frames_dropped"] / max(run["frames_read"], 1)
            age = run["pickup_age_ms"]
            lines.append(
                f"| {run['label']} | {run['frames_read']} | {run['frames']} |"
                f" {run['frames_dropped']} ({dropped_pct:.0f}%) |"
                f" {run['frames'] / realtime['clip_s']:.1f} |"
                f" {age.get('p50', 0):.0f} / {age.get('p95', 0):.0f} |"
                f" {fmt_alerts([AlertRecord(**a) for a in run['alerts']], latency=True)} |"
            )
        lines.append("")
        capacity = realtime.get("capacity")
        if capacity:
            lines += [
                "Capacity at 720p, unpaced (every frame, as fast as possible):",
                "",
                "| run | frames | frames/s | ms a frame by stage | alerts |",
                "|---|---|---|---|---|",
            ]
            for run in capacity:
                lines.append(
                    f"| {run['label']} | {run['frames']} | **{run['fps']:.1f}** |"
                    f" {fmt_stages(run['stage_ms'])} |"
                    f" {fmt_alerts([AlertRecord(**a) for a in run['alerts']])} |"
                )
            lines.append("")
    search = results.get("search")
    if search:
        lines += [
            "### Exact watchlist search (lfr.match.index.ExactIndex, 128-d, one probe a call)",
            "",
            "| templates | BLAS threads | median ms a probe | p95 ms"
            f" | {SEARCH_BATCH} probes a call, ms a probe | same as brute force |",
            "|---|---|---|---|---|---|",
        ]
        for s in search:
            lines.append(
                f"| {s['templates']:,} | {s['blas_threads']} | **{s['median_ms']:.3f}** |"
                f" {s['p95_ms']:.3f} |"
                f" {s['batch_per_probe_ms']:.4f} |"
                f" {'yes' if s['agrees_with_bruteforce'] else 'NO'} |"
            )
        lines.append("")
    return "\n".join(lines)


CHART_STAGES: dict[str, tuple[str, ...]] = {
    "decode": ("decode",),
    "detect\n(face_locations)": ("detect", "locations"),
    "align + descriptor\n(face_encodings)": ("align+quality", "embed", "encodings"),
    "search\n(face_distance)": ("search", "match"),
}
"""The two pipelines' stage names, grouped into comparable stages for the chart."""


def chart_stage_ms(stage_ms: dict[str, float], stage: str) -> float:
    return sum(stage_ms.get(name, 0.0) for name in CHART_STAGES[stage])


def save_chart(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    offline = results.get("offline")
    if not offline or not offline.get("baseline"):
        return False
    base = offline["baseline"]
    runs = offline["lfr"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    labels = ["baseline"] + [f"lfr {r['label']}" for r in runs]
    values = [base["fps"]] + [r["fps"] for r in runs]
    bars = left.bar(labels, values, color=["#999999"] + ["#2b7bba"] * len(runs))
    left.bar_label(bars, fmt="%.1f")
    left.set_ylabel("frames per second (higher is better)")
    left.set_title("Same clip, offline, same process")
    stages = list(CHART_STAGES)
    x = np.arange(len(stages))
    right.bar(
        x - 0.2,
        [chart_stage_ms(base["stage_ms"], s) for s in stages],
        0.4,
        label="baseline",
        color="#999999",
    )
    right.bar(
        x + 0.2,
        [chart_stage_ms(runs[0]["stage_ms"], s) for s in stages],
        0.4,
        label=f"lfr {runs[0]['label']}",
        color="#2b7bba",
    )
    right.set_xticks(x, stages, fontsize=8)
    right.set_ylabel("ms per frame (lfr's detect runs on a second thread)")
    right.set_title("Time per stage")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --------------------------------------------------------------------------- main


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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.search_only:  # the child process of search_single_blas_thread
        print(json.dumps([asdict(bench_search(n, args.search_probes)) for n in SEARCH_SIZES]))
        return 0
    progress = not args.no_progress and sys.stderr.isatty()
    clip = args.data / CLIP
    if not clip.is_file():
        raise SystemExit(f"bench: clip not found: {clip} (use --data)")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "machine": machine_info(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
    }
    log = sys.stderr
    cpu_start = cpu_times()

    watchlist_dir = link_watchlist(args.data / "faces", out)
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

    # 1. offline, same clip, same process: lfr / baseline / lfr
    clip_frames = frame_count(clip)
    lfr_runs: list[LfrRun] = []
    baseline: BaselineRun | None = None
    for i in range(args.lfr_runs):
        label = f"run {i + 1}"
        lfr_runs.append(
            run_lfr(label, engine, watchlist, clip, False, progress, max_frames=args.max_frames)
        )
        r = lfr_runs[-1]
        log.write(
            f"bench: lfr {label}: {r.frames} frames, {r.fps:.1f} fps,"
            f" alerts {fmt_alerts(r.alerts)}\n"
        )
        if i == 0 and not args.skip_baseline:
            baseline = run_baseline(watchlist_dir, clip, args.tolerance, progress, args.max_frames)
            log.write(
                f"bench: baseline: {baseline.frames} frames, {baseline.fps:.2f} fps,"
                f" matched {fmt_hits(baseline.matches)}\n"
            )
    lfr_fps = [r.fps for r in lfr_runs]
    verdict: dict[str, Any] = {"lfr_alerts_ok": all(lfr_alerts_ok(r) for r in lfr_runs)}
    if baseline is not None and baseline.fps > 0:
        speedups = [f / baseline.fps for f in lfr_fps]
        verdict.update(
            speedup=round(statistics.mean(speedups), 2),
            speedup_min=round(min(speedups), 2),
            speedup_max=round(max(speedups), 2),
            speedup_goal_met=min(speedups) >= 5.0,
            baseline_matched=baseline.matched_identities,
            baseline_false_identities=[i for i in baseline.matched_identities if i != TRUE_SUBJECT],
        )
    if not args.skip_cli and args.max_frames is None:
        cli = run_cli(clip, watchlist_dir)
        verdict["cli_alerts_ok"] = [a["subject"] for a in cli["alerts"]] == [TRUE_SUBJECT]
        log.write(
            f"bench: `lfr run`: exit {cli['exit_code']}, {cli['wall_s']:.1f} s in all,"
            f" scan {cli['summary'].get('fps', '?')} fps, alerts"
            f" {[a['subject'] for a in cli['alerts']]}\n"
        )
    else:
        cli = None
    results["offline"] = {
        "clip": str(CLIP),
        "clip_frames": clip_frames,
        "baseline": asdict(baseline) if baseline else None,
        "lfr": [asdict(r) for r in lfr_runs],
        "cli": cli,
        "verdict": verdict,
    }

    # 2. 720p at real-time pace: one stream, then several at once; then unpaced capacity
    if not args.skip_realtime:
        hd, hd_frames = make_720p(
            clip, out / "hamilton_720p.mp4", args.realtime_fps, args.force_video
        )
        engines = [engine] + [build_engine(config) for _ in range(args.streams - 1)]
        runs = [run_lfr("1 stream", engine, watchlist, hd, True, progress, camera="cam1")]
        if args.streams > 1:

            def paced(i: int) -> Callable[[threading.Barrier], LfrRun]:
                return lambda barrier: run_lfr(
                    f"{args.streams} streams: cam{i + 1}",
                    engines[i],
                    watchlist,
                    hd,
                    True,
                    progress,
                    camera=f"cam{i + 1}",
                    start=barrier,
                )

            runs += run_concurrently([paced(i) for i in range(args.streams)])

        def unpaced(i: int, label: str) -> Callable[[threading.Barrier], LfrRun]:
            return lambda barrier: run_lfr(
                label,
                engines[i],
                watchlist,
                hd,
                False,
                progress,
                camera=f"cam{i + 1}",
                start=barrier,
            )

        capacity = run_concurrently([unpaced(0, "1 stream")])
        if args.streams > 1:
            capacity += run_concurrently(
                [unpaced(i, f"{args.streams} streams: cam{i + 1}") for i in range(args.streams)]
            )
        for r in runs:
            log.write(
                f"bench: 720p realtime {r.label}: read {r.frames_read}, processed"
                f" {r.frames}, dropped {r.frames_dropped}, alerts"
                f" {fmt_alerts(r.alerts, latency=True)}\n"
            )
        results["realtime_720p"] = {
            "clip": str(hd.relative_to(REPO) if hd.is_relative_to(REPO) else hd),
            "clip_frames": hd_frames,
            "fps": args.realtime_fps,
            "clip_s": round(hd_frames / args.realtime_fps, 3),
            "runs": [asdict(r) for r in runs],
            "capacity": [asdict(r) for r in capacity],
            "alerts_ok": all(lfr_alerts_ok(r) for r in runs + capacity),
        }

    # 3. exact search
    if not args.skip_search:
        rows = [bench_search(n, args.search_probes) for n in SEARCH_SIZES]
        if "OPENBLAS_NUM_THREADS" not in os.environ:
            rows += search_single_blas_thread(args.search_probes)
        results["search"] = [asdict(r) for r in rows]

    results["machine"]["cpu_during_run"] = cpu_share(cpu_start)
    results["goals"] = goals(results)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (out / "results.md").write_text(table + "\n")
    chart = save_chart(results, out / "fps.png")
    print(table)
    log.write(
        f"bench: wrote {out / 'results.json'}, {out / 'results.md'}"
        f"{', ' + str(out / 'fps.png') if chart else ' (no chart: matplotlib missing)'}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
