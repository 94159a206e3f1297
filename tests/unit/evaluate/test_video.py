"""Judging a clip's alerts against ground truth; reading truth files; the memoised seams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lfr.domain import AlignedFace, Box, Detection
from lfr.evaluate.dataset import EvaluationInputError
from lfr.evaluate.video import (
    Appearance,
    VideoAlert,
    _MemoDetector,
    _MemoEmbedder,
    read_truth,
    score,
)
from tests.unit.fakes import FakeEmbedder

TRUTH = [
    Appearance("lin", 0.0, 0.6),
    Appearance("lin", 2.8, 7.0),
    Appearance("passer_by", 7.3, 8.2),
]


def alert(subject: str, t: float) -> VideoAlert:
    return VideoAlert(subject, t, int(t * 30), 1, 0.45)


def test_true_and_false_alerts_and_missed_people() -> None:
    alerts = [alert("lin", 3.1), alert("obama", 3.5), alert("lin", 7.5)]
    outcome = score(alerts, TRUTH, {"lin", "obama"}, 0.5, (2, 3), tolerance_s=0.2)
    assert outcome.true_alerts == 1  # lin at 3.1 is on screen
    assert outcome.false_alerts == 2  # obama is not in the clip; lin at 7.5 is the passer-by
    assert outcome.people == ["lin"]  # the passer-by is not on the watchlist
    assert outcome.found == ["lin"] and outcome.missed == []
    assert (outcome.appearances, outcome.appearances_alerted) == (2, 1)


def test_tolerance_at_the_edges() -> None:
    outcome = score([alert("lin", 2.7)], TRUTH, {"lin"}, 0.5, (1, 1), tolerance_s=0.1)
    assert outcome.true_alerts == 1  # 2.8 - 0.1 <= 2.7
    outcome = score([alert("lin", 2.69)], TRUTH, {"lin"}, 0.5, (1, 1), tolerance_s=0.1)
    assert outcome.false_alerts == 1


def test_no_alerts_misses_everyone_watchlisted() -> None:
    outcome = score([], TRUTH, {"lin"}, 0.45, (3, 5))
    assert outcome.missed == ["lin"] and outcome.true_alerts == outcome.false_alerts == 0
    assert outcome.to_json()["rule"] == "3 of 5"


def test_read_truth_csv_and_json(tmp_path: Path) -> None:
    csv = tmp_path / "truth.csv"
    csv.write_text("# comment\nsubject,start_s,end_s,note\nlin,0,0.6,frames 0-18\nbob,1,2\n")
    assert read_truth(csv) == [
        Appearance("lin", 0.0, 0.6, "frames 0-18"),
        Appearance("bob", 1.0, 2.0),
    ]
    js = tmp_path / "truth.json"
    js.write_text('[{"subject": "lin", "start_s": 0, "end_s": 0.6}]')
    assert read_truth(js) == [Appearance("lin", 0.0, 0.6)]


@pytest.mark.parametrize(
    "text",
    ["subject,start_s,end_s\nlin,2,1\n", "subject,start_s,end_s\nlin,a,1\n", "subject,start_s\n"],
)
def test_bad_truth(tmp_path: Path, text: str) -> None:
    path = tmp_path / "truth.csv"
    path.write_text(text)
    with pytest.raises(EvaluationInputError):
        read_truth(path)


def test_the_project_truth_file_reads() -> None:
    path = Path(__file__).resolve().parents[3] / "docs" / "evaluation" / "hamilton_truth.csv"
    truth = read_truth(path)
    assert [a.subject for a in truth].count("lin_manuel_miranda") == 2
    assert truth[1].start_s == pytest.approx(84 / 29.97, abs=1e-3)


class CountingDetector:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, image: np.ndarray, upsample: int = 0) -> list[Detection]:
        self.calls += 1
        return [Detection(Box(0, 0, 10, 10), float(image[0, 0, 0]))]


def test_memo_detector_detects_each_image_once() -> None:
    inner = CountingDetector()
    memo = _MemoDetector(inner)
    a = np.zeros((4, 4, 3), np.uint8)
    b = a.copy()
    b[0, 0, 0] = 9
    assert memo.detect(a) == memo.detect(a.copy())
    assert memo.detect(b)[0].confidence == 9
    memo.detect(a, 1)
    assert inner.calls == 3  # a, b, and a with upsampling


def test_memo_embedder_embeds_each_chip_once() -> None:
    inner = FakeEmbedder({1: [1, 0, 0, 0], 2: [0, 1, 0, 0]})
    memo = _MemoEmbedder(inner)

    def face(code: int) -> AlignedFace:
        chip = np.zeros((8, 8, 3), np.uint8)
        chip[0, 0, 0] = code
        return AlignedFace(chip, np.zeros((5, 2), np.float32))

    first = memo.embed([face(1), face(2)])
    again = memo.embed([face(2), face(1), face(1)])
    assert first.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0]]
    assert again.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]
    assert inner.calls == 2 and memo.computed == 2
    assert memo.embed([]).shape == (0, 4)
    assert memo.contract == inner.contract
