"""Enrolment with the real models: every unusable photo is named, with the reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from lfr.domain import Subject
from lfr.enrol.folder import Enroller
from lfr.errors import EnrolmentError, WatchlistError
from lfr.pipeline.engine import Engine, enrol_watchlist

SUBJECT = Subject("WL-1", "Test Subject")


@pytest.fixture(scope="module")
def enroller(engine: Engine) -> Enroller:
    return Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)


def write(path: Path, image: np.ndarray) -> Path:
    cv2.imwrite(str(path), image)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d, t: shutil.copy(d / "scenes/obama_and_biden.jpg", t / "pair.jpg"), "faces found"),
        (
            lambda d, t: write(t / "blank.png", np.full((400, 400, 3), 127, np.uint8)),
            "no face found",
        ),
        (lambda d, t: (t / "notes.txt").write_text("hello") and t / "notes.txt", "not an image"),
        (
            lambda d, t: (
                (t / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage") and t / "broken.jpg"
            ),
            "not an image (corrupt or unsupported format)",
        ),
        (
            lambda d, t: write(
                t / "tiny.jpg",
                cv2.resize(
                    cv2.imread(str(d / "faces/barack_obama/obama_small.jpg")), None, fx=0.4, fy=0.4
                ),
            ),
            "too small",
        ),
        (
            lambda d, t: write(
                t / "blurred.jpg",
                cv2.GaussianBlur(cv2.imread(str(d / "faces/barack_obama/obama.jpg")), (0, 0), 6),
            ),
            "too blurred",
        ),
    ],
    ids=["several-faces", "no-face", "not-an-image", "corrupt", "too-small", "blurred"],
)
def test_unusable_photo_is_named_with_its_reason(
    enroller: Enroller,
    data: Path,
    tmp_path: Path,
    make,
    reason: str,  # type: ignore[no-untyped-def]
) -> None:
    path = Path(make(data, tmp_path))
    with pytest.raises(EnrolmentError) as caught:
        enroller.enrol_image(path, SUBJECT)
    assert str(path) in str(caught.value)
    assert reason in caught.value.reason


def test_rgba_png_enrols(enroller: Enroller, data: Path) -> None:
    template = enroller.enrol_image(data / "edge_cases/32bit.png", SUBJECT)
    assert template.embedding.shape == (128,)


def test_folder_enrols_good_photos_and_reports_bad_ones(
    engine: Engine, data: Path, tmp_path: Path
) -> None:
    person = tmp_path / "wl" / "barack_obama"
    person.mkdir(parents=True)
    shutil.copy(data / "faces/barack_obama/obama.jpg", person)
    shutil.copy(data / "scenes/obama_and_biden.jpg", person)
    (person / "subject.json").write_text(
        '{"reference": "WL-7", "display_name": "B. Obama", "category": "test",'
        ' "reason": "fixture", "image_source": "face_recognition repo"}'
    )
    (tmp_path / "wl" / "nobody").mkdir()
    watchlist, report = enrol_watchlist(engine, tmp_path / "wl", progress=False)
    assert watchlist.size == 1
    assert watchlist.subjects[0].reference == "WL-7"
    assert [e.path.endswith("obama_and_biden.jpg") for e in report.errors] == [True]
    assert report.subjects_without_template == ["nobody"]


def test_bad_metadata_and_empty_folders_are_refused(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "subject.json").write_text('{"reference": "x", "colour": "blue"}')
    with pytest.raises(WatchlistError, match="invalid subject metadata"):
        enrol_watchlist(engine, tmp_path, progress=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WatchlistError, match="no subject sub-folders"):
        enrol_watchlist(engine, empty, progress=False)
