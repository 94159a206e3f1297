"""A whole evaluation with fake model seams (no weights): report files and their consistency."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from lfr.cli import main
from lfr.config import EngineConfig
from lfr.domain import Box, Detection, Image
from lfr.evaluate.evaluation import EvaluationOptions, evaluate
from lfr.evaluate.report import fmt_rate, headline_lines, pct, render_html, to_json, write_report
from lfr.pipeline.engine import Engine
from tests.unit.fakes import FakeAligner, FakeEmbedder

NO_FACE = 255
VECTORS = {
    1: [0.0, 0.0, 0.0, 0.0],  # A/1
    2: [0.3, 0.0, 0.0, 0.0],  # A/2
    3: [1.0, 0.0, 0.0, 0.0],  # B/1
    4: [1.0, 0.4, 0.0, 0.0],  # B/2
    5: [0.0, 0.6, 0.0, 0.0],  # unknown/u1
}
PHOTOS = {"a/1.png": 1, "a/2.png": 2, "b/1.png": 3, "b/2.png": 4, "unknown/u1.png": 5}


class MarkerDetector:
    """One 100-px face at (10, 10) unless the photo's corner pixel says there is none."""

    name = "marker"

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        if image[0, 0, 0] == NO_FACE:
            return []
        return [Detection(Box(10, 10, 110, 110), 1.0)]


def write_photo(path: Path, code: int) -> None:
    image = np.full((160, 160, 3), 128, np.uint8)
    image[0, 0, 0] = NO_FACE if code == NO_FACE else 0
    image[10, 10, 0] = code
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image[:, :, ::-1])


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "faces"
    for name, code in PHOTOS.items():
        write_photo(root / name, code)
    write_photo(root / "unknown" / "u2.png", NO_FACE)
    return root


def fake_engine() -> Engine:
    return Engine(
        config=EngineConfig(),
        detector=MarkerDetector(),
        aligner=FakeAligner(),
        embedder=FakeEmbedder(VECTORS),
    )


def test_report_numbers_by_hand(dataset: Path, tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    groups.write_text("identity,group\na,G1\nb,G2\nu1.png,G1\n")
    options = EvaluationOptions(dataset, thresholds=[0.65], groups=groups, progress=False)
    result = evaluate(fake_engine(), options)
    report = result.report
    data = report["dataset"]
    assert data["images"] == 6 and data["acquired"] == 5  # type: ignore[index]
    assert data["failures_to_acquire"] == [  # type: ignore[index]
        {"file": "unknown/u2.png", "reason": "no face found"}
    ]

    ident = report["identification"]
    assert ident["mated_searches"] == 2 and ident["nonmated_searches"] == 6  # type: ignore[index]
    assert ident["nonmated_failures_to_acquire"] == 1  # type: ignore[index]
    rows = {r["threshold"]: r for r in ident["by_threshold"]}  # type: ignore[index]
    assert rows[0.5]["tpir"]["count"] == 2 and rows[0.5]["fpir"]["count"] == 0
    assert rows[0.65]["fpir"]["count"] == 1 and rows[0.65]["fpir"]["trials"] == 5
    assert rows[0.5]["tpir"]["value"] == 1.0
    assert rows[0.5]["tpir"]["ci95"][1] == 1.0

    verification = report["verification"]
    assert verification["mated_pairs"] == 2 and verification["nonmated_pairs"] == 8  # type: ignore[index]
    assert verification["pairs_not_compared_failure_to_acquire"] == 4  # type: ignore[index]
    assert verification["pairs_left_out_relationship_unknown"] == 1  # type: ignore[index]
    assert verification["eer"]["value"] == 0.0  # type: ignore[index]

    headline = report["headline"]
    assert headline["threshold"] == 0.5  # type: ignore[index]
    assert headline["tpir"] == rows[0.5]["tpir"]  # type: ignore[index]

    calibration = report["calibration"]
    assert calibration["verdict"] == "inconclusive"  # type: ignore[index]

    equity = report["equitability"]
    assert equity["groups"] == {"G1": ["a", "unknown/u1.png"], "G2": ["b"]}  # type: ignore[index]
    verdicts = {c["verdict"] for c in equity["comparisons"]}  # type: ignore[index]
    assert verdicts == {"inconclusive"}  # far too few samples to claim parity

    assert set(result.figures) == {"det.png", "scores.png", "thresholds.png"}
    assert all(png.startswith(b"\x89PNG") for png in result.figures.values())

    written = write_report(result, tmp_path / "out")
    again = json.loads(written["json"].read_text())
    assert again["headline"]["tpir"]["count"] == 2
    page = written["html"].read_text()
    assert page.count("data:image/png;base64,") == 3
    for heading in (
        "Headline",
        "What was tested",
        "Verification",
        "Open-set",
        "calibration",
        "Equitability",
    ):
        assert heading in page
    assert data["fingerprint"]["sha256"] in page  # type: ignore[index]
    assert 'src="http' not in page  # self-contained
    assert any("TPIR 100.0%" in line for line in headline_lines(report))
    assert render_html(result) == page


def test_pairs_file_gives_verification_only(dataset: Path, tmp_path: Path) -> None:
    pairs = dataset / "pairs.csv"
    pairs.write_text("path_a,path_b,same_person\na/1.png,a/2.png,1\na/1.png,b/1.png,0\n")
    result = evaluate(fake_engine(), EvaluationOptions(pairs, progress=False))
    assert result.report["identification"] is None
    verification = result.report["verification"]
    assert verification["mated_pairs"] == verification["nonmated_pairs"] == 1  # type: ignore[index]
    assert any("pairs file" in w for w in result.report["warnings"])  # type: ignore[attr-defined]
    write_report(result, tmp_path / "out")


def test_json_has_no_nan() -> None:
    assert json.loads(to_json({"a": float("nan"), "b": [float("inf"), 1.0]})) == {
        "a": None,
        "b": [None, 1.0],
    }


def test_formatting() -> None:
    assert pct(None) == "undefined"
    assert pct(0.0) == "0%"
    assert pct(0.8) == "80.0%"
    assert pct(1 / 6000) == "0.017%"
    assert fmt_rate({"count": 0, "trials": 0, "value": None, "ci95": None}) == (
        "undefined (no trials)"
    )
    assert fmt_rate({"count": 1, "trials": 2, "value": 0.5, "ci95": [0.0126, 0.987]}) == (
        "50.0% [1.3%, 98.7%] (1/2)"
    )


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lfr: error:"), err
    return code, lines[0]


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["evaluate"], 2, "required"),
        (["evaluate", "x", "--rules", "3/2"], 2, "K <= N"),
        (["evaluate", "x", "--target-fpir", "2"], 2, "between 0 and 1"),
        (["evaluate", "x", "--thresholds", "0"], 2, "distance threshold"),
        (["evaluate", "x", "--watchlist-size", "0"], 2, "must be positive"),
        (["evaluate", "/no/such/folder"], 4, "data set not found"),
        (["evaluate", "."], 4, "--video and --truth go together"),
    ],
)
def test_cli_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, needle: str
) -> None:
    if argv[-1] == ".":
        argv = [*argv, "--truth", "."]
    got, line = one_line_error(capsys, *argv)
    assert got == code
    assert needle in line
