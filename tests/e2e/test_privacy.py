"""Non-matches leave no trace: run the real CLI on the real clip in a sealed temporary world,
then inspect everything it wrote (files, stdout, stderr) for biometric data of anyone who
did not match."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lfr.imaging import read_image
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine
from tests.e2e.conftest import CLIP, LIN, REPO

FLOAT_RUN = re.compile(r"(-?\d+\.\d{3,}[,\s]+){8,}")
"""Eight or more decimals in a row: how a descriptor would look if printed."""


def non_matching_descriptors(engine: Engine, watchlist: Watchlist) -> list[np.ndarray]:
    """Descriptors of every face in the clip that is NOT Lin-Manuel Miranda (computed here,
    by the test, with upsampling so even faces the pipeline skipped are included)."""
    found = []
    for frame in VideoFileSource(CLIP).frames():
        if frame.index % 3:
            continue
        for detection in engine.detector.detect(frame.image, 1):
            face = engine.aligner.align(frame.image, detection.box)
            vector = engine.embedder.embed([face])[0]
            match = watchlist.nearest(vector[None, :])[0]
            if match.subject.reference != LIN or match.distance > 0.6:
                found.append(vector)
    return found


def written_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


SKIP_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
TEST_OUTPUTS = {"test-artifacts", ".hypothesis"}
"""What the other pytest worker writes while this test runs beside it: browser screenshots and
junit.xml, Hypothesis' example database; and coverage's data files (``.coverage.*``)."""


def repo_files_changed_since(started: float) -> list[str]:
    """Files in the repository modified since ``started`` (byte-code caches aside)."""
    changed = []
    for dirpath, dirnames, filenames in os.walk(REPO):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS | TEST_OUTPUTS]
        for name in filenames:
            if name.startswith(".coverage"):
                continue
            path = Path(dirpath) / name
            if path.stat().st_mtime >= started:
                changed.append(str(path.relative_to(REPO)))
    return changed


@pytest.fixture(scope="module")
def sealed_run(watchlist_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("sealed")
    for name in ("home", "tmp", "cwd", "data"):
        (root / name).mkdir()
    env = {
        **os.environ,
        "HOME": str(root / "home"),
        "TMPDIR": str(root / "tmp"),
        "XDG_CACHE_HOME": str(root / "home" / ".cache"),
        "LFR_DATA_DIR": str(root / "data"),
    }
    started = time.time()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lfr",
            "-v",
            "run",
            str(CLIP),
            "--watchlist-dir",
            str(watchlist_dir),
            "--json",
            "--save-alerts",
            str(root / "alerts"),
        ],
        cwd=root / "cwd",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return root, result, repo_files_changed_since(started)


def test_run_succeeds_with_one_alert_for_lin(sealed_run) -> None:  # type: ignore[no-untyped-def]
    _, result, _ = sealed_run
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["subject"] for r in records if r["type"] == "alert"] == [LIN]
    assert records[-1]["type"] == "summary" and records[-1]["alerts"] == 1


def test_only_the_alert_was_written(sealed_run) -> None:  # type: ignore[no-untyped-def]
    root, result, repo_changes = sealed_run
    alert_id = json.loads(result.stdout.splitlines()[0])["id"]
    files = [p.relative_to(root).as_posix() for p in written_files(root)]
    assert files == [f"alerts/{alert_id}.jpg", f"alerts/{alert_id}.json"]
    assert repo_changes == []  # nothing new in the repository either


def test_saved_pictures_show_only_the_matched_person(
    sealed_run, engine: Engine, watchlist: Watchlist
) -> None:  # type: ignore[no-untyped-def]
    root, _, _ = sealed_run
    [picture] = (root / "alerts").glob("*.jpg")
    image = read_image(picture)
    faces = engine.detector.detect(image, 1)
    assert len(faces) == 2  # probe beside enrolled photo
    for detection in faces:
        vector = engine.embedder.embed([engine.aligner.align(image, detection.box)])[0]
        [match] = watchlist.nearest(vector[None, :])
        assert match.subject.reference == LIN and match.distance < 0.6


def test_no_descriptor_of_a_non_match_anywhere(
    sealed_run, engine: Engine, watchlist: Watchlist
) -> None:  # type: ignore[no-untyped-def]
    root, result, _ = sealed_run
    others = non_matching_descriptors(engine, watchlist)
    assert others, "the clip has a second person; the test must have someone to look for"
    blobs = [p.read_bytes() for p in written_files(root)]
    blobs += [result.stdout.encode(), result.stderr.encode()]
    for vector in others:
        for dtype in (np.float32, np.float64):
            needle = vector[:4].astype(dtype).tobytes()
            assert not any(needle in blob for blob in blobs)
        text = f"{vector[0]:.4f}"
        assert not any(
            text.encode() in blob and FLOAT_RUN.search(blob.decode("latin-1")) for blob in blobs
        )
    for stream in (result.stdout, result.stderr):
        assert not FLOAT_RUN.search(stream)
