import numpy as np
import pytest

from lfr.config import QualityConfig
from lfr.domain import AlignedFace, Box
from lfr.embed.quality import assess, pose_from_landmarks, sharpness

BOX = Box(0, 0, 100, 100)
FRONTAL = np.array([[20, 40], [40, 40], [60, 40], [80, 40], [50, 60]], np.float32)


def sharp_chip() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (150, 150, 3), dtype=np.uint8)


def test_frontal_face_has_no_yaw_or_roll() -> None:
    yaw, roll = pose_from_landmarks(FRONTAL)
    assert yaw == pytest.approx(0.0)
    assert roll == pytest.approx(0.0)


def test_nose_off_centre_is_yaw() -> None:
    turned = FRONTAL.copy()
    turned[4] = [70, 60]  # nose 20 px right of centre, eyes 40 px apart
    yaw, _ = pose_from_landmarks(turned)
    assert yaw == pytest.approx(0.5)


def test_tilted_eye_line_is_roll_whichever_eye_comes_first() -> None:
    tilted = np.array([[20, 40], [40, 50], [60, 60], [80, 70], [50, 70]], np.float32)
    _, roll = pose_from_landmarks(tilted)
    _, roll_reversed = pose_from_landmarks(tilted[[2, 3, 0, 1, 4]])
    assert roll == pytest.approx(26.57, abs=0.1)
    assert roll_reversed == pytest.approx(26.57, abs=0.1)


def test_flat_chip_is_not_sharp() -> None:
    assert sharpness(np.full((150, 150, 3), 128, np.uint8)) == 0.0
    assert sharpness(sharp_chip()) > 1000


@pytest.mark.parametrize(
    ("chip", "box", "landmarks", "reason"),
    [
        (sharp_chip(), Box(0, 0, 40, 40), FRONTAL, "too small"),
        (np.full((150, 150, 3), 90, np.uint8), BOX, FRONTAL, "too blurred"),
        (sharp_chip(), BOX, np.vstack([FRONTAL[:4], [[75, 60]]]), "turned away"),
        (sharp_chip(), BOX, np.array([[20, 20], [40, 40], [60, 60], [80, 80], [50, 70]]), "tilted"),
    ],
)
def test_gate_rejects_with_reason(chip, box, landmarks, reason) -> None:  # type: ignore[no-untyped-def]
    quality = assess(AlignedFace(chip, landmarks.astype(np.float32)), box, QualityConfig())
    assert not quality.passed
    assert reason in quality.reason


def test_gate_passes_a_good_shot_and_scores_bigger_higher() -> None:
    good = assess(AlignedFace(sharp_chip(), FRONTAL), BOX, QualityConfig())
    bigger = assess(AlignedFace(sharp_chip(), FRONTAL), Box(0, 0, 150, 150), QualityConfig())
    assert good.passed and good.reason == ""
    assert bigger.score > good.score
