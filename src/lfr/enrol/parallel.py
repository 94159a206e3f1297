"""Enrol a folder on every core: worker threads read, detect and align photos while the calling
thread computes their descriptors in batches.

dlib's detector and Pillow's decoder release the GIL, so threads (each with its own detector
and aligner: dlib's objects serve one thread at a time) keep both cores busy; a batch of
descriptors costs about half as much a face as single ones on ONNX Runtime. The report is the
one ``enrol_folder`` gives: the same templates and the same skipped photos, in the same order,
whatever order the workers finish in.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from lfr.enrol.folder import (
    Enroller,
    EnrolmentReport,
    PreparedPhoto,
    SubjectFolder,
    scan_watchlist_dir,
)
from lfr.errors import EnrolmentError

Job = tuple[SubjectFolder, Path]
Outcome = PreparedPhoto | EnrolmentError

AHEAD_PER_WORKER = 4
"""Photos prepared ahead of the descriptors, per worker: enough to keep workers busy while a
batch is embedded, few enough that memory stays flat on a 16,000-photo folder."""


def enrol_folder_parallel(
    root: Path,
    enroller: Enroller,
    worker_enroller: Callable[[], Enroller],
    workers: int,
    batch_size: int = 16,
    progress: bool = True,
) -> EnrolmentReport:
    """``enrol_folder`` with ``workers`` threads preparing photos, each with its own enroller
    from ``worker_enroller``; ``enroller`` (the caller's) computes the descriptors."""
    if workers < 1 or batch_size < 1:
        raise ValueError("workers and batch_size must be at least 1")
    subjects = scan_watchlist_dir(root)
    jobs = [(s, p) for s in subjects for p in s.images]
    report = EnrolmentReport()
    batch: list[PreparedPhoto] = []
    for outcome in _progress(_prepared(jobs, worker_enroller, workers), len(jobs), progress):
        if isinstance(outcome, EnrolmentError):
            report.errors.append(outcome)
            continue
        batch.append(outcome)
        if len(batch) == batch_size:
            report.templates += enroller.templates(batch)
            batch = []
    if batch:
        report.templates += enroller.templates(batch)
    enrolled = {t.subject.reference for t in report.templates}
    report.subjects_without_template = [
        s.subject.reference for s in subjects if s.subject.reference not in enrolled
    ]
    return report


def _prepared(
    jobs: list[Job], worker_enroller: Callable[[], Enroller], workers: int
) -> Iterator[Outcome]:
    """Each job's prepared photo or the reason it cannot be enrolled, in the jobs' order."""
    local = threading.local()

    def prepare(job: Job) -> Outcome:
        if not hasattr(local, "enroller"):
            local.enroller = worker_enroller()
        subject_folder, path = job
        try:
            prepared: PreparedPhoto = local.enroller.prepare_image(path, subject_folder.subject)
            return prepared
        except EnrolmentError as exc:
            return exc

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="enrol")
    try:
        pending: deque[Future[Outcome]] = deque()
        upcoming = iter(jobs)
        for job in upcoming:
            pending.append(pool.submit(prepare, job))
            if len(pending) >= workers * AHEAD_PER_WORKER:
                break
        while pending:
            outcome = pending.popleft().result()
            next_job = next(upcoming, None)
            if next_job is not None:
                pending.append(pool.submit(prepare, next_job))
            yield outcome
    finally:  # an unexpected error (or the caller stopping) cancels what has not started
        pool.shutdown(wait=True, cancel_futures=True)


def _progress(outcomes: Iterator[Outcome], total: int, enabled: bool) -> Iterator[Outcome]:
    yield from tqdm(
        outcomes, total=total, desc="enrolling", unit="image", disable=not enabled, leave=False
    )
