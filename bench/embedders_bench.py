"""The embedders section: dlib's ResNet on dlib against the same network on ONNX Runtime.

Per-face timings are interleaved (one call of each variant per round), so a change in the
machine's load hits every variant alike; the figure kept is each variant's median. Equality is
checked on real aligned faces (every photo of faces/). Enrolment throughput is
``enrol_watchlist`` on the identity folders repeated until there are 60-odd photos: one photo
after another with the full search (as before), then as configured (worker threads, quick
search for large faces), with the largest difference between the two runs' descriptors.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from common import IMAGE_SUFFIXES, backend_config
from lfr.app import build_engine
from lfr.domain import AlignedFace, Image, Template
from lfr.embed.dlib_resnet import DlibEmbedder
from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder, max_abs_difference
from lfr.imaging import fit_within, read_image
from lfr.models import dlib_model_paths, sha256_file
from lfr.pipeline.engine import Engine, enrol_watchlist
from records import EnrolRun, Timing
from sections import Bench

BATCH = 8
WARM_UP = 3
PHOTOS_TO_ENROL = 16_000
ENROL_GOAL_MINUTES = 15.0


def photo_chips(faces: Path, engine: Engine) -> list[Image]:
    """The aligned 150x150 chip of the largest face of every photo (as enrolment finds it)."""
    chips = []
    for path in sorted(p for p in faces.glob("*/*") if p.suffix.lower() in IMAGE_SUFFIXES):
        image, _ = fit_within(read_image(path, engine.config.images), engine.config.enrol_max_side)
        found = engine.detector.detect(image, 0) or engine.detector.detect(image, 1)
        if found:
            box = max(found, key=lambda d: d.box.area).box
            chips.append(engine.aligner.align(image, box).chip)
    return chips


def as_faces(chips: list[Image]) -> list[AlignedFace]:
    no_landmarks = np.zeros((0, 2), np.float32)  # the embedders read the chip only
    return [AlignedFace(chip=c, landmarks=no_landmarks) for c in chips]


def interleaved(
    calls: dict[str, Callable[[int], object]], rounds: int, progress: bool
) -> dict[str, list[float]]:
    """Seconds of each call, one of each per round (round ``i`` passes ``i`` to every call)."""
    for i in range(WARM_UP):
        for call in calls.values():
            call(i)
    seconds: dict[str, list[float]] = {name: [] for name in calls}
    for i in tqdm(range(rounds), desc="embedders", unit="round", disable=not progress):
        for name, call in calls.items():
            started = time.perf_counter()
            call(i)
            seconds[name].append(time.perf_counter() - started)
    return seconds


def timing(seconds: list[float], faces: int, threads: int) -> Timing:
    per_face = [1000.0 * s / faces for s in seconds]
    return Timing(
        median_ms=round(statistics.median(per_face), 3),
        min_ms=round(min(per_face), 3),
        max_ms=round(max(per_face), 3),
        calls=len(per_face),
        faces_a_call=faces,
        threads=threads,
    )


def descriptor_timings(chips: list[Image], rounds: int, progress: bool) -> dict[str, Any]:
    """dlib one face; ONNX one face on one thread; ONNX 8 faces on every core; max |diff|."""
    weights = dlib_model_paths().face_recognition_resnet
    digest = sha256_file(weights)
    cores = len(os.sched_getaffinity(0))
    dlib = DlibEmbedder(weights, digest)
    onnx_one = OnnxResnetEmbedder(weights, digest, threads=1)
    onnx_all = OnnxResnetEmbedder(weights, digest, threads=cores)
    faces = as_faces(chips)

    def one(i: int) -> list[AlignedFace]:
        return [faces[i % len(faces)]]

    def eight(i: int) -> list[AlignedFace]:
        return [faces[(i + k) % len(faces)] for k in range(BATCH)]

    seconds = interleaved(
        {
            "dlib": lambda i: dlib.embed(one(i)),
            "onnx": lambda i: onnx_one.embed(one(i)),
            "onnx_batch8": lambda i: onnx_all.embed(eight(i)),
        },
        rounds,
        progress,
    )
    timings = {
        "dlib": timing(seconds["dlib"], 1, 1),
        "onnx": timing(seconds["onnx"], 1, 1),
        "onnx_batch8": timing(seconds["onnx_batch8"], BATCH, cores),
    }
    return {
        "dlib_ms_per_face": timings["dlib"].median_ms,
        "onnx_ms_per_face": timings["onnx"].median_ms,
        "onnx_batch8_ms_per_face": timings["onnx_batch8"].median_ms,
        "max_abs_diff": max_abs_difference(chips, onnx_one, dlib),
        "speedup_one_face": round(timings["dlib"].median_ms / timings["onnx"].median_ms, 1),
        "faces_compared": len(chips),
        "timings": {name: asdict(t) for name, t in timings.items()},
    }


def repeated_watchlist(watchlist_dir: Path, out: Path, copies: int) -> tuple[Path, int]:
    """``copies`` links to every identity folder (``name_1`` ...): the same photos, more work."""
    root = out / "enrol_repeated"
    root.mkdir(parents=True, exist_ok=True)
    for old in root.iterdir():
        old.unlink()
    photos = 0
    for folder in sorted(p for p in watchlist_dir.iterdir() if p.is_dir()):
        count = sum(1 for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        for copy in range(1, copies + 1):
            (root / f"{folder.name}_{copy}").symlink_to(folder.resolve())
            photos += count
    return root, photos


ENROL_MODES = {
    "sequential": {"enrol_workers": 1, "enrol_detect_max_side": 0},
    "parallel": {},
}
"""The enrolment before (one photo after another, full search) and as configured now."""


def enrol_run(
    bench: Bench, backend: str, mode: str, root: Path, photos: int
) -> tuple[EnrolRun, list[Template]]:
    config = backend_config(bench.config, backend).model_copy(update=ENROL_MODES[mode])
    engine = build_engine(config)
    try:
        cpu0, started = time.process_time(), time.perf_counter()
        watchlist, report = enrol_watchlist(engine, root, progress=bench.progress)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu0
    finally:
        engine.close()
    rate = photos / seconds
    workers = 1 if mode == "sequential" else config.enrol_workers or len(os.sched_getaffinity(0))
    run = EnrolRun(
        backend=backend,
        photos=photos,
        templates=watchlist.size,
        seconds=round(seconds, 2),
        photos_per_s=round(rate, 2),
        minutes_for_16000=round(PHOTOS_TO_ENROL / rate / 60.0, 1),
        mode=mode,
        workers=workers,
        cpu_s=round(cpu, 2),
    )
    return run, report.templates


def enrol_runs(bench: Bench, root: Path, photos: int) -> list[EnrolRun]:
    """Per backend: sequential, then parallel, on the same photos; the parallel templates are
    compared with the sequential ones."""
    runs = []
    for backend in bench.args.backends:
        before, reference = enrol_run(bench, backend, "sequential", root, photos)
        after, templates = enrol_run(bench, backend, "parallel", root, photos)
        if [t.image_name for t in templates] != [t.image_name for t in reference]:
            raise SystemExit(f"bench: {backend}: parallel enrolment enrolled other photos")
        after.max_abs_diff = max(
            float(np.abs(a.embedding - b.embedding).max())
            for a, b in zip(templates, reference, strict=True)
        )
        runs += [before, after]
    return runs


def embedders_section(bench: Bench) -> dict[str, Any]:
    args = bench.args
    chips = photo_chips(args.data / "faces", bench.engine)
    result = descriptor_timings(chips, args.embedder_rounds, bench.progress)
    root, photos = repeated_watchlist(bench.watchlist_dir, bench.out, args.enrol_copies)
    result["enrolment"] = [asdict(r) for r in enrol_runs(bench, root, photos)]
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    bench.log.write(
        f"bench: embedders: dlib {result['dlib_ms_per_face']:.1f} ms, onnx"
        f" {result['onnx_ms_per_face']:.2f} ms, onnx batch8 {result['onnx_batch8_ms_per_face']:.2f}"
        f" ms a face, max |diff| {result['max_abs_diff']:.2e}\n"
    )
    return result
