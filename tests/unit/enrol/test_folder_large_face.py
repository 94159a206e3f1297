"""The enroller's quick path: a photo's one large face, found on a small copy, is used only
when the copy's answer is exactly one usable face; anything else goes to the full search."""

from __future__ import annotations

from pathlib import Path

import pytest

from lfr.config import EngineConfig
from lfr.domain import Box, Detection, Image, Subject
from lfr.enrol.folder import FindsLargeFaces
from lfr.errors import EnrolmentError
from tests.unit.enrol.photos import FACE, FakeDetector, RecordingEmbedder, enroller, write_photo

ANA = Subject("ana", "Ana")


class QuickDetector(FakeDetector):
    """A FakeDetector that also answers the quick search, with ``answer``."""

    def __init__(self, answer: list[Detection] | None) -> None:
        super().__init__()
        self.answer = answer
        self.asked: list[int] = []

    def find_large_faces(self, image: Image, max_side: int) -> list[Detection] | None:
        self.asked.append(max_side)
        return self.answer


def enrol(tmp_path: Path, detector: FakeDetector, **config: object) -> float:
    photo = write_photo(tmp_path / "ana" / "1.png", 7)
    engine_config = EngineConfig.model_validate(config)
    template = enroller(detector, RecordingEmbedder(), engine_config).enrol_image(photo, ANA)
    return float(template.embedding[0])


def test_one_large_face_is_used_without_the_full_search(tmp_path: Path) -> None:
    detector = QuickDetector([Detection(FACE, 2.0)])
    assert isinstance(detector, FindsLargeFaces)
    assert enrol(tmp_path, detector) == 7.0  # the face at FACE, marked 7
    assert detector.asked == [800] and detector.calls == []


@pytest.mark.parametrize(
    "answer",
    [
        None,  # the copy cannot vouch for its answer
        [],  # nothing found on the copy: a small face may still be there
        [Detection(FACE, 2.0), Detection(Box(120, 10, 150, 40), 1.0)],  # the full search counts
    ],
    ids=["no-answer", "nothing-found", "several-faces"],
)
def test_any_other_answer_falls_back_to_the_full_search(
    tmp_path: Path, answer: list[Detection] | None
) -> None:
    detector = QuickDetector(answer)
    assert enrol(tmp_path, detector) == 7.0
    assert detector.calls == [(7, 0)]


def test_a_large_face_below_the_size_policy_gets_the_full_searchs_reason(
    tmp_path: Path,
) -> None:
    detector = QuickDetector([Detection(FACE, 2.0)])  # 100 px
    with pytest.raises(EnrolmentError, match=r"face too small \(100 px < 150 px\)"):
        enrol(tmp_path, detector, quality={"min_face_px": 150})
    assert detector.calls == [(7, 0)]


def test_the_quick_search_can_be_switched_off(tmp_path: Path) -> None:
    detector = QuickDetector([Detection(FACE, 2.0)])
    assert enrol(tmp_path, detector, enrol_detect_max_side=0) == 7.0
    assert detector.asked == [] and detector.calls == [(7, 0)]
