"""YuNet backend: loading errors for real, post-processing against a stand-in network.

No real YuNet weights exist on this machine, so nothing here checks that YuNet finds faces.
The loading tests do go through cv2: random bytes fail to parse, and a tiny valid ONNX graph
(written below as raw protobuf, no ``onnx`` package) parses but is rejected as not YuNet.
The post-processing tests swap the cv2 network for a stand-in that returns fixed rows.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from lfr.detect.base import FaceDetector
from lfr.detect.onnx_yunet import YUNET_FILENAME, YuNetDetector
from lfr.domain import Box
from lfr.errors import ModelNotInstalledError
from tests.unit.onnx_bytes import identity_onnx


def test_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match="does not exist"):
        YuNetDetector(tmp_path / YUNET_FILENAME)


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / YUNET_FILENAME
    path.write_bytes(os.urandom(4096))
    with pytest.raises(ModelNotInstalledError) as err:
        YuNetDetector(path)
    message = str(err.value)
    assert str(path) in message
    assert "YuNet" in message
    assert "\n" not in message
    assert "/io/opencv" not in message  # no cv2 source locations


def test_valid_onnx_that_is_not_yunet_is_rejected_at_load(tmp_path: Path) -> None:
    path = tmp_path / YUNET_FILENAME
    path.write_bytes(identity_onnx())
    with pytest.raises(ModelNotInstalledError) as err:
        YuNetDetector(path)
    message = str(err.value)
    assert "could not be loaded as a YuNet face detector" in message
    assert "Failed to parse" not in message  # it got past parsing
    assert "\n" not in message


def test_from_model_dir_without_weights_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotInstalledError, match=YUNET_FILENAME):
        YuNetDetector.from_model_dir(tmp_path)
    with pytest.raises(ModelNotInstalledError, match=YUNET_FILENAME):
        YuNetDetector.from_model_dir(None)


class _StandInNet:
    """Mimics cv2.FaceDetectorYN: rows are scaled to the input width (x / 100 * width)."""

    def __init__(self, rows: npt.NDArray[np.float32] | None) -> None:
        self.rows = rows
        self.sizes: list[tuple[int, int]] = []
        self.images: list[npt.NDArray[np.uint8]] = []

    def setInputSize(self, size: tuple[int, int]) -> None:  # noqa: N802 (cv2's name)
        self.sizes.append(size)

    def detect(self, image: npt.NDArray[np.uint8]) -> tuple[int, npt.NDArray[np.float32] | None]:
        self.images.append(image)
        if self.rows is None:
            return 0, None
        rows = self.rows.copy()
        rows[:, :14] *= image.shape[1] / 100.0
        return len(rows), rows


def _detector(net: _StandInNet) -> YuNetDetector:
    import threading

    detector = YuNetDetector.__new__(YuNetDetector)
    detector.model_path = Path("stand-in.onnx")
    detector._net = net  # type: ignore[assignment]
    detector._size = (320, 320)
    detector._lock = threading.Lock()
    return detector


ROWS = np.array(
    [
        [10, 20, 30, 40, 15, 30, 30, 30, 22, 40, 17, 50, 28, 50, 0.85],
        [50, 10, 20, 25, 55, 15, 65, 15, 60, 20, 56, 28, 64, 28, 0.97],
    ],
    dtype=np.float32,
)


def test_boxes_landmarks_and_order() -> None:
    net = _StandInNet(ROWS)
    detector = _detector(net)
    image = np.zeros((60, 100, 3), dtype=np.uint8)
    faces = detector.detect_with_landmarks(image)
    assert [f.detection.confidence for f in faces] == pytest.approx([0.97, 0.85])
    assert faces[1].detection.box == Box(10, 20, 40, 60)
    assert faces[0].detection.box == Box(50, 10, 70, 35)
    np.testing.assert_allclose(faces[1].landmarks, ROWS[0, 4:14].reshape(5, 2))
    assert faces[1].landmarks.dtype == np.float32
    assert net.sizes == [(100, 60)]
    boxes = [d.box for d in detector.detect(image)]
    assert boxes == [faces[0].detection.box, faces[1].detection.box]
    assert net.sizes == [(100, 60)]  # same size: not set again


def test_rgb_is_converted_to_bgr() -> None:
    net = _StandInNet(None)
    detector = _detector(net)
    image = np.zeros((8, 8, 3), dtype=np.uint8)
    image[..., 0] = 255  # pure red in RGB
    assert detector.detect(image) == []
    seen = net.images[-1]
    assert seen[0, 0].tolist() == [0, 0, 255]


def test_upsample_reports_boxes_in_input_pixels() -> None:
    net = _StandInNet(ROWS[:1])
    detector = _detector(net)
    image = np.zeros((60, 100, 3), dtype=np.uint8)
    plain = detector.detect_with_landmarks(image)[0]
    up = detector.detect_with_landmarks(image, upsample=1)[0]
    assert net.sizes[-1] == (200, 120)
    assert up.detection.box == plain.detection.box
    np.testing.assert_allclose(up.landmarks, plain.landmarks)
    assert up.detection.confidence == pytest.approx(0.85)


def test_rejects_non_rgb_images() -> None:
    detector = _detector(_StandInNet(None))
    with pytest.raises(ValueError, match="RGB"):
        detector.detect(np.zeros((8, 8), dtype=np.uint8))


def test_satisfies_the_detector_protocol() -> None:
    detector: FaceDetector = _detector(_StandInNet(None))
    assert detector.name == "opencv-yunet"
