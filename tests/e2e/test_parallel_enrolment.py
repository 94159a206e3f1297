"""Enrolment on every core, with the quick search for large faces, gives the templates and the
skipped photos of the original enrolment (one photo after another, full search only) on the
real photos, and the quick search finds the full search's boxes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from lfr.config import EngineConfig
from lfr.detect.dlib_hog import HogDetector
from lfr.enrol.folder import Enroller, enrol_folder
from lfr.imaging import IMAGE_SUFFIXES, fit_within, read_image
from lfr.pipeline.engine import Engine, enrol_watchlist

FOLDERS = ("faces/*", "scenes", "edge_cases", "detection")
"""Single-face photos, unknown people, multi-face scenes, odd inputs: every kind of outcome."""


@pytest.fixture(scope="module")
def everything(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A watchlist folder linking every photo folder of the data as a "subject"."""
    root = tmp_path_factory.mktemp("everything")
    for pattern in FOLDERS:
        for folder in sorted(data.glob(pattern)):
            if folder.is_dir():
                (root / f"{folder.parent.name}_{folder.name}").symlink_to(folder)
    return root


def photos(data: Path) -> list[Path]:
    return sorted(
        p
        for pattern in FOLDERS
        for folder in data.glob(pattern)
        for p in folder.glob("*")
        if p.suffix.lower() in IMAGE_SUFFIXES
    )


def test_parallel_enrolment_equals_the_original_sequential_one(
    engine: Engine, everything: Path
) -> None:
    original = EngineConfig(enrol_workers=1, enrol_detect_max_side=0)
    reference = enrol_folder(
        everything,
        Enroller(engine.detector, engine.aligner, engine.embedder, original),
        progress=False,
    )
    parallel_engine = dataclasses.replace(engine, config=EngineConfig(enrol_workers=2))
    _, report = enrol_watchlist(parallel_engine, everything, progress=False)

    assert len(reference.templates) >= 20 and len(reference.errors) >= 10
    assert [t.image_name for t in report.templates] == [t.image_name for t in reference.templates]
    for new, old in zip(report.templates, reference.templates, strict=True):
        assert np.abs(new.embedding - old.embedding).max() <= 1e-5, new.image_name
        assert new.face_jpeg == old.face_jpeg and new.subject == old.subject
    assert [str(e) for e in report.errors] == [str(e) for e in reference.errors]
    assert report.subjects_without_template == reference.subjects_without_template


def test_the_quick_search_finds_the_full_searchs_boxes(engine: Engine, data: Path) -> None:
    detector = engine.detector
    assert isinstance(detector, HogDetector)
    answered = 0
    for path in photos(data):
        image, _ = fit_within(read_image(path, engine.config.images), engine.config.enrol_max_side)
        quick = detector.find_large_faces(image, 800)
        if quick is None:
            continue
        answered += len(quick) > 0
        full = {(d.box, round(d.confidence, 9)) for d in detector.detect(image, 0)}
        assert {(d.box, round(d.confidence, 9)) for d in quick} <= full, path.name
    assert answered >= 15  # most large photos are answered by the copy
