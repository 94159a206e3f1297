"""The baseline: the face_recognition library's documented video loop
(examples/facerec_from_video_file.py), timed stage by stage on the same clip as lfr.

face_recognition is imported inside the functions: only bench/run.sh installs it, and
``--skip-baseline`` (or the search-only child process) must run without it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from common import EXAMPLE_TOLERANCE, IMAGE_SUFFIXES
from records import BaselineRun, IdentityHits

Nearest = list[tuple[str, float]]
"""Each face of one frame: the nearest known identity and its distance."""
STAGES = ("decode", "locations", "encodings", "match")


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


def summarise_hits(nearest: list[Nearest], fps: float, tolerance: float) -> list[IdentityHits]:
    """Per identity: frames with a face within ``tolerance`` of it, the first, the closest."""
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
            if identity not in seen:  # a frame counts once, however many faces match
                record.frames += 1
                seen.add(identity)
    return sorted(hits.values(), key=lambda h: h.first_frame)


def baseline_frame(
    capture: Any, names: list[str], known: npt.NDArray[np.float64], stage: dict[str, float]
) -> Nearest | None:
    """One pass of the example's loop, each step's seconds added to ``stage``; None at the end."""
    import face_recognition

    t0 = time.perf_counter()
    ok, frame = capture.read()
    if not ok:
        return None
    # The example's frame[:, :, ::-1], as a contiguous array (same pixels).
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    t1 = time.perf_counter()
    locations = face_recognition.face_locations(rgb)  # HOG, upsample 1
    t2 = time.perf_counter()
    encodings = face_recognition.face_encodings(rgb, locations)
    t3 = time.perf_counter()
    found: Nearest = []
    for encoding in encodings:
        distances = face_recognition.face_distance(known, encoding)
        best = int(np.argmin(distances))
        found.append((names[best], float(distances[best])))
    t4 = time.perf_counter()
    for key, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
        stage[key] += seconds
    return found


def run_baseline(
    watchlist_dir: Path, clip: Path, tolerance: float, progress: bool, max_frames: int | None
) -> BaselineRun:
    """examples/facerec_from_video_file.py: every frame, face_locations then face_encodings."""
    names, known, skipped = baseline_enrol(watchlist_dir)
    capture = cv2.VideoCapture(str(clip))
    fps = float(capture.get(cv2.CAP_PROP_FPS)) or 25.0
    total = max_frames or int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    stage = dict.fromkeys(STAGES, 0.0)
    nearest: list[Nearest] = []
    started = time.perf_counter()  # enrolment excluded, as for lfr
    try:
        bar = tqdm(total=total, desc="baseline", unit="fr", disable=not progress, leave=False)
        with bar:
            while max_frames is None or len(nearest) < max_frames:
                found = baseline_frame(capture, names, known, stage)
                if found is None:
                    break
                nearest.append(found)
                bar.update(1)
    finally:
        capture.release()
    wall = time.perf_counter() - started
    frames = len(nearest)
    return BaselineRun(
        frames=frames,
        faces=sum(len(found) for found in nearest),
        wall_s=round(wall, 3),
        fps=round(frames / wall, 2) if wall else 0.0,
        stage_ms={k: round(1000.0 * v / max(frames, 1), 2) for k, v in stage.items()},
        tolerance=tolerance,
        matches=summarise_hits(nearest, fps, tolerance),
        matches_at_example_tolerance=summarise_hits(nearest, fps, EXAMPLE_TOLERANCE),
        enrolled_encodings=len(names),
        enrol_skipped=skipped,
    )
