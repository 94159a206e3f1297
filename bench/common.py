"""Paths, constants and small helpers shared by the benchmark's modules."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from lfr.config import EngineConfig

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
ENTRY = BENCH / "bench_video.py"
"""The entry script: the single-BLAS-thread search re-runs it in a child process."""
DEFAULT_DATA = Path(os.environ.get("LFR_TEST_DATA", REPO.parent / "shared" / "data"))
"""../shared/data beside the checkout (here /work/shared/data), as the end-to-end tests use."""
CLIP = Path("video") / "short_hamilton_clip.mp4"
TRUE_SUBJECT = "lin_manuel_miranda"
"""The one watchlisted person the clip should alert on (see tests/e2e/test_clip_alerts.py)."""
EXAMPLE_TOLERANCE = 0.5
"""The tolerance facerec_from_video_file.py itself passes to compare_faces (library default 0.6)."""
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
BACKENDS = ("dlib-resnet", "onnx-resnet")
"""The embedder backends compared side by side: the same network, on dlib or ONNX Runtime."""


def backend_config(
    config: EngineConfig, backend: str, detect_width: int | None = None
) -> EngineConfig:
    """``config`` with another embedder backend (and, if given, another detection width)."""
    data = config.model_dump()
    data["embedder"]["backend"] = backend
    if detect_width is not None:
        data["detector"]["max_width"] = detect_width
    return EngineConfig.model_validate(data)


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
