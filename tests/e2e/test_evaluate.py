"""``lfr evaluate`` end to end: the real models on the real faces and clip of ../shared/data.

Checks that the report files exist and that their numbers agree with each other and with what
the project measured elsewhere (no false match below 0.5 on this set; one true alert on the
clip). The groups file here is ARBITRARY (alphabetical halves, not demographic labels): it only
exercises the per-group code, which must call a set this small inconclusive.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from lfr.cli import main
from tests.e2e.conftest import CLIP, LIN, REPO

TRUTH = REPO / "docs" / "evaluation" / "hamilton_truth.csv"


@pytest.fixture(scope="module")
def run(data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("evaluation")
    identities = sorted(
        p.name for p in (data / "faces").iterdir() if p.is_dir() and p.name != "unknown"
    )
    groups = tmp_path_factory.mktemp("groups") / "groups.csv"
    half = len(identities) // 2
    groups.write_text(
        "identity,group\n"
        + "".join(
            f"{name},{'first' if i < half else 'second'}\n" for i, name in enumerate(identities)
        )
    )
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(
            [
                "evaluate",
                str(data / "faces"),
                "--thresholds", "0.45", "0.55",
                "--rules", "1/1", "2/3",
                "--groups", str(groups),
                "--video", str(CLIP),
                "--truth", str(TRUTH),
                "--out", str(out),
                "--json",
                "--no-progress",
            ]
        )  # fmt: skip
    assert code == 0
    return json.loads(buffer.getvalue()), out


def row(section: dict[str, Any], threshold: float) -> dict[str, Any]:
    return next(r for r in section["by_threshold"] if r["threshold"] == threshold)


def test_report_files_exist(run: tuple[dict[str, Any], Path]) -> None:
    report, out = run
    for name in ("report.json", "report.html", "det.png", "scores.png", "thresholds.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 1000, name
    assert json.loads((out / "report.json").read_text()) == report
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert report["embedding_contract"]["weights_sha256"] in page


def test_dataset_and_contract(run: tuple[dict[str, Any], Path], data: Path) -> None:
    report, _ = run
    dataset = report["dataset"]
    photos = sorted(p for p in (data / "faces").rglob("*") if p.is_file())
    assert dataset["images"] == len(photos) == 23
    assert dataset["identities"] == 6 and dataset["unknown_images"] == 7
    assert dataset["acquired"] + len(dataset["failures_to_acquire"]) == dataset["images"]
    named = sorted((p.relative_to(data / "faces").as_posix(), p) for p in photos)
    lines = "".join(f"{name}\t{hashlib.sha256(p.read_bytes()).hexdigest()}\n" for name, p in named)
    assert dataset["fingerprint"]["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert report["embedding_contract"]["model_id"] == "dlib_face_recognition_resnet_model_v1"
    assert report["software"]["lfr"]


def test_identification_numbers_are_consistent(run: tuple[dict[str, Any], Path]) -> None:
    report, _ = run
    ident = report["identification"]
    at = row(ident, 0.5)
    tpir, fnir, fpir = at["tpir"], at["fnir"], at["fpir"]
    assert tpir["trials"] == ident["mated_searches"] == 10
    assert 0.0 <= tpir["value"] <= 1.0
    assert tpir["value"] == pytest.approx(tpir["count"] / tpir["trials"])
    assert tpir["count"] + fnir["count"] == tpir["trials"]
    low, high = tpir["ci95"]
    assert low <= tpir["value"] <= high
    # No different-person photo comes within 0.5 of a watchlist entry on this set.
    assert fpir["count"] == 0
    assert fpir["trials"] == ident["nonmated_searches"] - ident["nonmated_failures_to_acquire"]
    assert at["fmr_per_comparison"]["count"] == 0
    assert ident["closest_nonmated_rank1"] > 0.5
    for scaled in at["scaled_fpir"]:
        assert scaled["value"] == 0.0 and scaled["ci95"][1] > 0.0
    # rates move the right way with the threshold
    assert row(ident, 0.45)["tpir"]["count"] <= tpir["count"] <= row(ident, 0.55)["tpir"]["count"]
    assert report["headline"]["tpir"] == tpir


def test_verification_and_calibration(run: tuple[dict[str, Any], Path]) -> None:
    report, _ = run
    verification = report["verification"]
    assert verification["mated_pairs"] == 18 and verification["nonmated_pairs"] == 214
    assert row(verification, 0.5)["fmr"]["count"] == 0
    assert verification["eer"] is not None and 0.0 <= verification["eer"]["value"] <= 0.5
    calibration = report["calibration"]
    assert calibration["verdict"] == "inconclusive"  # 122 comparisons cannot vouch for 1/6000
    assert calibration["threshold"] < report["identification"]["closest_nonmated_rank1"]
    assert any("small test set" in w for w in report["warnings"])


def test_groups_too_small_are_inconclusive(run: tuple[dict[str, Any], Path]) -> None:
    report, _ = run
    comparisons = report["equitability"]["comparisons"]
    assert {c["metric"] for c in comparisons} == {"TPIR", "FPIR"}
    assert all(c["verdict"] == "inconclusive" for c in comparisons)


def test_video_alerts(run: tuple[dict[str, Any], Path]) -> None:
    report, _ = run
    video = report["video"]
    assert video["frames"] == 275
    results = {(r["threshold"], r["rule"]): r for r in video["results"]}
    assert len(results) == 3 * 2
    live = results[(0.5, "2 of 3")]  # the engine's own setting
    assert live["true_alerts"] == 1 and live["false_alerts"] == 0
    assert live["people_found"] == [LIN] and live["people_missed"] == []
    assert 2.5 < live["alerts"][0]["time_s"] < 7.5
    assert all(r["false_alerts"] == 0 for r in results.values())
