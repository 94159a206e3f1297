"""Parallel enrolment with stand-in models: the report of the sequential enrolment, in its
order, whatever order the workers finish in; unusable photos skipped with their reason."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from lfr.enrol.folder import Enroller, EnrolmentReport, enrol_folder
from lfr.enrol.parallel import enrol_folder_parallel
from tests.unit.enrol.photos import NO_FACE, FakeDetector, RecordingEmbedder, enroller, write_photo


def watchlist(root: Path) -> Path:
    """ana: photos 1, 2 and a corrupt file; ben: photo 3 and a photo with no face;
    cy: only a text file."""
    write_photo(root / "ana" / "1.png", 1)
    write_photo(root / "ana" / "2.png", 2)
    (root / "ana" / "3_broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    write_photo(root / "ben" / "1.png", 3)
    write_photo(root / "ben" / "2_blank.png", NO_FACE)
    (root / "cy").mkdir()
    (root / "cy" / "notes.txt").write_text("no photo here")
    return root


def run_parallel(
    root: Path, detector: FakeDetector, workers: int = 2, batch_size: int = 16
) -> tuple[EnrolmentReport, RecordingEmbedder, FakeDetector]:
    """Every worker shares ``detector`` (a fake may); the caller's enroller gets its own."""
    embedder = RecordingEmbedder()
    main_detector = FakeDetector()
    report = enrol_folder_parallel(
        root,
        enroller(main_detector, embedder),
        lambda: enroller(detector, embedder),
        workers,
        batch_size,
        False,
    )
    return report, embedder, main_detector


def test_same_report_as_one_photo_after_another(tmp_path: Path) -> None:
    root = watchlist(tmp_path)
    sequential = enrol_folder(root, enroller(FakeDetector(), RecordingEmbedder()), False)
    parallel, _, _ = run_parallel(root, FakeDetector())
    assert [t.image_name for t in parallel.templates] == ["ana/1.png", "ana/2.png", "ben/1.png"]
    assert [t.image_name for t in parallel.templates] == [
        t.image_name for t in sequential.templates
    ]
    assert [t.embedding[0] for t in parallel.templates] == [1.0, 2.0, 3.0]  # each its own face
    assert [str(e) for e in parallel.errors] == [str(e) for e in sequential.errors]
    assert parallel.subjects_without_template == sequential.subjects_without_template == ["cy"]


def test_unusable_photos_are_skipped_with_their_reason_and_the_rest_enrolled(
    tmp_path: Path,
) -> None:
    report, _, main_detector = run_parallel(watchlist(tmp_path), FakeDetector())
    assert main_detector.calls == []  # the caller's enroller only computes descriptors
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert set(reasons) == {"3_broken.jpg", "2_blank.png", "notes.txt"}
    assert "not an image" in reasons["3_broken.jpg"]
    assert reasons["2_blank.png"] == "no face found"
    assert "unsupported file type" in reasons["notes.txt"]
    assert len(report.templates) == 3


def test_order_is_kept_when_a_later_photo_is_ready_first(tmp_path: Path) -> None:
    root = watchlist(tmp_path)
    photo_3_done = threading.Event()
    # Photo 1 is held until photo 3 (another subject's) has been detected on the other worker.
    detector = FakeDetector(
        hold={1: photo_3_done}, after=lambda code: photo_3_done.set() if code == 3 else None
    )
    report, _, _ = run_parallel(root, detector, workers=2)
    assert detector.finished.index(3) < detector.finished.index(1)
    assert [t.embedding[0] for t in report.templates] == [1.0, 2.0, 3.0]
    assert [Path(e.path).name for e in report.errors] == [
        "3_broken.jpg",
        "2_blank.png",
        "notes.txt",
    ]


def test_descriptors_are_computed_in_batches(tmp_path: Path) -> None:
    for i in range(1, 6):
        write_photo(tmp_path / "ana" / f"{i}.png", i)
    report, embedder, _ = run_parallel(tmp_path, FakeDetector(), batch_size=2)
    assert embedder.call_sizes == [2, 2, 1]
    assert [t.embedding[0] for t in report.templates] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_each_worker_thread_has_enroller_models_of_its_own(tmp_path: Path) -> None:
    for i in range(1, 9):
        write_photo(tmp_path / "ana" / f"{i}.png", i)
    built: list[FakeDetector] = []
    embedder = RecordingEmbedder()

    def worker_enroller() -> Enroller:
        detector = FakeDetector()
        built.append(detector)
        return enroller(detector, embedder)

    main_detector = FakeDetector()
    enrol_folder_parallel(
        tmp_path, enroller(main_detector, embedder), worker_enroller, 3, 16, False
    )
    assert 1 <= len(built) <= 3
    assert all(len(d.threads) == 1 for d in built)  # never shared between threads
    assert len({next(iter(d.threads)) for d in built}) == len(built)
    assert sum(len(d.calls) for d in built) == 8 and main_detector.calls == []


def test_an_unexpected_error_is_raised_not_reported(tmp_path: Path) -> None:
    write_photo(tmp_path / "ana" / "1.png", 1)
    write_photo(tmp_path / "ana" / "2.png", 2)

    def crash(code: int) -> None:
        raise RuntimeError("model crashed")

    with pytest.raises(RuntimeError, match="model crashed"):
        run_parallel(tmp_path, FakeDetector(after=crash))


def test_workers_and_batch_size_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        run_parallel(watchlist(tmp_path), FakeDetector(), workers=0)
