"""Watchlist search timing: lfr.match.index.ExactIndex over random 128-d templates."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from typing import Any

import numpy as np
import numpy.typing as npt

from common import ENTRY
from lfr.match.index import ExactIndex
from records import SearchResult

SEARCH_SIZES = (10_000, 20_000)
SEARCH_BATCH = 32
"""Probes a call in the batched timing (several faces, or several cameras' faces, at once)."""
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
WARM_UP = 50
CHECKED = 20
"""Probes whose answer is compared with a brute-force np.linalg.norm."""


def search_rows(probes: int) -> list[SearchResult]:
    """Every size with this process's BLAS threading, then pinned to one thread if it is not."""
    rows = [bench_search(n, probes) for n in SEARCH_SIZES]
    if "OPENBLAS_NUM_THREADS" not in os.environ:
        rows += search_single_blas_thread(probes)
    return rows


def search_only(probes: int) -> str:
    """The child process's answer (``--search-only``): every size, as JSON."""
    return json.dumps([asdict(bench_search(n, probes)) for n in SEARCH_SIZES])


def search_single_blas_thread(probes: int) -> list[SearchResult]:
    """The same search in a child process whose BLAS is pinned to one thread (an environment
    variable read when numpy loads, so it cannot be changed in this process)."""
    env = {**os.environ, **dict.fromkeys(BLAS_ENV, "1")}
    command = [sys.executable, str(ENTRY), "--search-only"]
    done = subprocess.run(
        [*command, "--search-probes", str(probes)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return [SearchResult(**row) for row in rows]


def random_unit_rows(rng: np.random.Generator, rows: int) -> npt.NDArray[np.float32]:
    vectors = rng.standard_normal((rows, 128)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) * 1.6  # dlib-like norms
    return vectors


def time_single_probes(
    index: ExactIndex, templates: npt.NDArray[np.float32], queries: npt.NDArray[np.float32]
) -> tuple[list[float], bool]:
    """ms for each one-probe call, and whether the first answers match brute force."""
    times = []
    agree = True
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        distances, found = index.search(q[None, :])
        times.append(1000.0 * (time.perf_counter() - t0))
        if i < CHECKED:
            truth = np.linalg.norm(templates - q, axis=1)
            agree &= int(found[0, 0]) == int(truth.argmin())
            agree &= abs(float(distances[0, 0]) - float(truth.min())) < 1e-4
    return times, agree


def time_batched(index: ExactIndex, queries: npt.NDArray[np.float32]) -> float:
    """ms a probe when the probes go SEARCH_BATCH a call."""
    t0 = time.perf_counter()
    for chunk in range(0, len(queries), SEARCH_BATCH):
        index.search(queries[chunk : chunk + SEARCH_BATCH])
    return 1000.0 * (time.perf_counter() - t0) / len(queries)


def bench_search(size: int, probes: int, seed: int = 0) -> SearchResult:
    rng = np.random.default_rng(seed)
    templates = random_unit_rows(rng, size)
    queries = random_unit_rows(rng, probes)
    index = ExactIndex(templates)
    for q in queries[:WARM_UP]:
        index.search(q[None, :])
    times, agree = time_single_probes(index, templates, queries)
    batch = time_batched(index, queries)
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
