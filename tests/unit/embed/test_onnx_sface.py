"""SFace backend: loading errors, the contract, chip handling and alignment geometry.

No real SFace weights exist on this machine, so nothing here checks recognition accuracy.
Instead a tiny valid ONNX graph (written below as raw protobuf, no ``onnx`` package) with
SFace's input and output shapes is loaded through cv2.FaceRecognizerSF for real: its 128
outputs are the means of 128 consecutive runs of the network's input blob, which makes the
colour order and normalisation checkable.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from lfr.detect.onnx_yunet import YuNetFace
from lfr.domain import AlignedFace, Box, Detection
from lfr.embed.base import Aligner, Embedder
from lfr.embed.onnx_sface import (
    SFACE_FILENAME,
    SFaceAligner,
    SFaceEmbedder,
    dlib_layout,
    template_landmarks,
)
from lfr.embed.quality import pose_from_landmarks
from lfr.errors import ModelNotInstalledError
from tests.unit.onnx_bytes import identity_onnx, mean_pool_onnx


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    path = tmp_path / SFACE_FILENAME
    path.write_bytes(mean_pool_onnx())
    return path


def _expected(chip_rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    planes = chip_rgb.astype(np.float32).transpose(2, 0, 1)  # the network sees RGB planes
    raw = planes.reshape(128, 294).mean(axis=1)
    normalised: npt.NDArray[np.float32] = (raw / np.linalg.norm(raw)).astype(np.float32)
    return normalised


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="does not exist"):
        SFaceEmbedder(tmp_path / SFACE_FILENAME)


def test_from_model_dir_without_weights_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match=SFACE_FILENAME):
        SFaceEmbedder.from_model_dir(tmp_path)
    with pytest.raises(ModelNotInstalledError, match=SFACE_FILENAME):
        SFaceEmbedder.from_model_dir(None)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / SFACE_FILENAME
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ModelNotInstalledError) as err:
        SFaceEmbedder(path)
    assert str(path) in str(err.value)
    assert "SFace" in str(err.value)
    assert "\n" not in str(err.value)


def test_valid_onnx_with_the_wrong_output_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / SFACE_FILENAME
    path.write_bytes(identity_onnx())
    with pytest.raises(ModelNotInstalledError, match="outputs 37632 values per face, not 128"):
        SFaceEmbedder(path)


def test_contract(stand_in: Path) -> None:
    embedder: Embedder = SFaceEmbedder(stand_in)
    contract = embedder.contract
    assert contract.model_id == "opencv-sface-2021dec"
    assert contract.weights_sha256 == hashlib.sha256(stand_in.read_bytes()).hexdigest()
    assert contract.dimension == 128
    assert contract.metric == "cosine"
    assert "alignCrop 112x112" in contract.preprocessing


def test_from_model_dir_finds_other_names(tmp_path: Path) -> None:
    (tmp_path / "sface_fp32.onnx").write_bytes(mean_pool_onnx())
    assert SFaceEmbedder.from_model_dir(tmp_path).model_path.name == "sface_fp32.onnx"


def test_embed_shape_colour_order_and_normalisation(stand_in: Path) -> None:
    embedder = SFaceEmbedder(stand_in)
    rng = np.random.default_rng(7)
    chips = [rng.integers(0, 256, (112, 112, 3), dtype=np.uint8) for _ in range(3)]
    faces = [AlignedFace(chip, np.zeros((5, 2), np.float32)) for chip in chips]
    vectors = embedder.embed(faces)
    assert vectors.shape == (3, 128)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    for chip, vector in zip(chips, vectors, strict=True):
        np.testing.assert_allclose(vector, _expected(chip), rtol=1e-4, atol=1e-6)
    assert embedder.embed([]).shape == (0, 128)


def test_embed_rejects_chips_of_another_aligner(stand_in: Path) -> None:
    embedder = SFaceEmbedder(stand_in)
    face = AlignedFace(np.zeros((150, 150, 3), np.uint8), np.zeros((5, 2), np.float32))
    with pytest.raises(ValueError, match="112x112"):
        embedder.embed([face])


def _gradient_image() -> npt.NDArray[np.uint8]:
    ys, xs = np.mgrid[0:240, 0:320]
    image = np.stack([xs % 256, ys % 256, (xs + ys) % 256], axis=-1)
    return image.astype(np.uint8)


def test_align_face_with_template_landmarks_is_a_crop(stand_in: Path) -> None:
    aligner = SFaceAligner(SFaceEmbedder(stand_in))
    image = _gradient_image()
    box = Box(100, 50, 212, 162)  # 112 px: the warp is a pure translation
    face = YuNetFace(Detection(box, 0.9), template_landmarks(box))
    aligned = aligner.align_face(image, face)
    assert aligned.chip.shape == (112, 112, 3)
    assert aligned.chip.dtype == np.uint8
    np.testing.assert_allclose(aligned.chip.astype(int), image[50:162, 100:212].astype(int), atol=1)
    np.testing.assert_allclose(aligned.landmarks, dlib_layout(face.landmarks))


def test_align_without_landmark_detector_falls_back_to_the_box(stand_in: Path) -> None:
    aligner: Aligner = SFaceAligner(SFaceEmbedder(stand_in))
    image = _gradient_image()
    box = Box(100, 50, 212, 162)
    aligned = aligner.align(image, box)
    assert aligned.chip.shape == (112, 112, 3)
    np.testing.assert_allclose(aligned.landmarks, dlib_layout(template_landmarks(box)))


class _StandInLandmarks:
    """Plays YuNetDetector.detect_with_landmarks on the crop the aligner passes in."""

    def __init__(self, faces: list[YuNetFace]) -> None:
        self.faces = faces
        self.crops: list[tuple[int, int]] = []

    def detect_with_landmarks(self, image: npt.NDArray[np.uint8]) -> list[YuNetFace]:
        self.crops.append((image.shape[1], image.shape[0]))
        return self.faces


def test_align_uses_the_landmarks_of_the_face_overlapping_the_box(stand_in: Path) -> None:
    box = Box(100, 50, 200, 150)  # crop with 50% margin: x 50..250, y 0..200
    landmarks = np.array([[80, 90], [120, 90], [100, 110], [85, 130], [115, 130]], np.float32)
    near = YuNetFace(Detection(Box(52, 48, 148, 152), 0.9), landmarks)  # crop coordinates
    far = YuNetFace(Detection(Box(0, 0, 20, 20), 0.99), landmarks + 100)
    finder = _StandInLandmarks([far, near])
    aligner = SFaceAligner(SFaceEmbedder(stand_in), finder)  # type: ignore[arg-type]
    aligned = aligner.align(_gradient_image(), box)
    assert finder.crops == [(200, 200)]
    expected = dlib_layout(landmarks + np.array([50, 0], np.float32))
    np.testing.assert_allclose(aligned.landmarks, expected)
    assert aligned.chip.shape == (112, 112, 3)


def test_align_falls_back_when_no_face_overlaps(stand_in: Path) -> None:
    far = YuNetFace(Detection(Box(0, 0, 20, 20), 0.99), np.zeros((5, 2), np.float32))
    aligner = SFaceAligner(SFaceEmbedder(stand_in), _StandInLandmarks([far]))  # type: ignore[arg-type]
    box = Box(100, 50, 200, 150)
    aligned = aligner.align(_gradient_image(), box)
    np.testing.assert_allclose(aligned.landmarks, dlib_layout(template_landmarks(box)))


# A frontal face in YuNet's order: right eye (image left), left eye, nose tip, mouth corners.
FRONTAL = np.array([[40, 50], [70, 50], [55, 68], [43, 85], [67, 85]], np.float32)


def test_dlib_layout_order() -> None:
    out = dlib_layout(FRONTAL)
    assert out.shape == (5, 2)
    assert out.dtype == np.float32
    assert out.tolist() == [[70, 50], [70, 50], [40, 50], [40, 50], [55, 68]]


def test_quality_gate_reads_aligned_landmarks_as_frontal(stand_in: Path) -> None:
    aligner = SFaceAligner(SFaceEmbedder(stand_in))
    face = YuNetFace(Detection(Box(25, 25, 85, 100), 0.9), FRONTAL)
    yaw, roll = pose_from_landmarks(aligner.align_face(_gradient_image(), face).landmarks)
    assert yaw == pytest.approx(0.0, abs=1e-6)
    assert roll == pytest.approx(0.0, abs=1e-6)


def test_quality_gate_sees_turn_and_tilt_in_yunet_landmarks(stand_in: Path) -> None:
    aligner = SFaceAligner(SFaceEmbedder(stand_in))
    turned = FRONTAL.copy()
    turned[2, 0] += 12  # nose tip moved 0.4 eye distances toward the image's right
    face = YuNetFace(Detection(Box(25, 25, 85, 100), 0.9), turned)
    yaw, roll = pose_from_landmarks(aligner.align_face(_gradient_image(), face).landmarks)
    assert abs(yaw) == pytest.approx(0.4, abs=1e-5)
    assert roll == pytest.approx(0.0, abs=1e-6)

    tilted = FRONTAL.copy()
    tilted[1, 1] += 30  # left eye 30 px lower over a 30 px eye gap: 45 degrees
    face = YuNetFace(Detection(Box(25, 25, 85, 100), 0.9), tilted)
    _, roll = pose_from_landmarks(aligner.align_face(_gradient_image(), face).landmarks)
    assert abs(roll) == pytest.approx(45.0, abs=1e-4)
