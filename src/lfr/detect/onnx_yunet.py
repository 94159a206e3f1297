"""OpenCV's YuNet face detector (``cv2.FaceDetectorYN``) on user-supplied ONNX weights.

Optional backend: the weights are not shipped and never downloaded. Get
``face_detection_yunet_2023mar.onnx`` from the OpenCV model zoo and pass its directory
(:meth:`YuNetDetector.from_model_dir`) or the file itself.

Besides boxes, YuNet returns five landmarks per face, in this order (image coordinates):
right eye, left eye, nose tip, right mouth corner, left mouth corner ("right" is the subject's
right, i.e. the point with the smaller x on a frontal face). That is *not* dlib's 5-point
layout (two corners per eye plus the nose base). :meth:`YuNetDetector.detect_with_landmarks`
exposes them for :class:`lfr.embed.onnx_sface.SFaceAligner`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from lfr.config import DetectorConfig
from lfr.domain import Box, Detection, Image
from lfr.errors import ModelNotInstalledError
from lfr.models import describe_cv_error, require_model_file

YUNET_FILENAME = "face_detection_yunet_2023mar.onnx"
YUNET_PATTERNS = [YUNET_FILENAME, "*yunet*.onnx"]

_MAX_UPSAMPLE = 3


@dataclass(frozen=True, slots=True)
class YuNetFace:
    """One YuNet detection with its five landmarks, in pixels of the image given to detect."""

    detection: Detection
    landmarks: npt.NDArray[np.float32]
    """Shape (5, 2): right eye, left eye, nose tip, right mouth corner, left mouth corner."""

    def as_cv_row(self) -> npt.NDArray[np.float32]:
        """The 1x15 row layout that ``cv2.FaceRecognizerSF.alignCrop`` expects."""
        box = self.detection.box
        row = np.empty((1, 15), dtype=np.float32)
        row[0, :4] = (box.left, box.top, box.width, box.height)
        row[0, 4:14] = self.landmarks.reshape(-1)
        row[0, 14] = self.detection.confidence
        return row


class YuNetDetector:
    """Implements :class:`lfr.detect.base.FaceDetector` with YuNet.

    Takes RGB images (the pipeline's convention) and converts them to the BGR that YuNet was
    trained on. The network input size is set to each image's size. ``upsample`` doubles the
    image that many times before detection (to find small faces, like dlib's upsampling);
    boxes are always reported in the pixels of the image passed in, and may extend past its
    edges slightly.

    One instance is safe to share between threads (a lock serialises the network), but each
    thread having its own instance is faster.
    """

    name = "opencv-yunet"

    def __init__(
        self,
        model_path: Path,
        score_threshold: float = 0.8,
        nms_threshold: float = 0.3,
        top_k: int = 5000,
    ) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise ModelNotInstalledError(
                f"YuNet face detector model {self.model_path} does not exist or is not a file"
            )
        try:
            self._net = cv2.FaceDetectorYN.create(
                str(self.model_path), "", (320, 320), score_threshold, nms_threshold, top_k
            )
            # A graph that parses but is not YuNet fails only on first use: fail now instead.
            self._net.detect(np.zeros((320, 320, 3), dtype=np.uint8))
        except cv2.error as exc:
            raise ModelNotInstalledError(
                f"{self.model_path} could not be loaded as a YuNet face detector "
                f"(expected {YUNET_FILENAME} from the OpenCV model zoo): {describe_cv_error(exc)}"
            ) from exc
        self._size = (320, 320)
        self._lock = threading.Lock()

    @classmethod
    def from_model_dir(
        cls, model_dir: Path | None, score_threshold: float = 0.8, nms_threshold: float = 0.3
    ) -> YuNetDetector:
        """Find the YuNet weights in ``model_dir`` (see :data:`YUNET_PATTERNS`) and load them."""
        path = require_model_file(model_dir, YUNET_PATTERNS, "YuNet face detector")
        return cls(path, score_threshold, nms_threshold)

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        return [face.detection for face in self.detect_with_landmarks(image, upsample)]

    def detect_with_landmarks(self, image: Image, upsample: int = 0) -> list[YuNetFace]:
        """Detections plus YuNet's five landmarks each, best score first."""
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"YuNet needs an RGB image (h, w, 3), got shape {image.shape}")
        steps = max(0, min(int(upsample), _MAX_UPSAMPLE))
        factor = float(2**steps)
        bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        if steps:
            bgr = cv2.resize(bgr, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR)
        height, width = bgr.shape[:2]
        with self._lock:
            if (width, height) != self._size:
                self._net.setInputSize((width, height))
                self._size = (width, height)
            _, faces = self._net.detect(bgr)
        if faces is None:
            return []
        rows = np.asarray(faces, dtype=np.float32).reshape(-1, 15) / np.float32(factor)
        rows[:, 14] *= np.float32(factor)  # the score is not a coordinate
        rows = rows[np.argsort(-rows[:, 14], kind="stable")]
        return [
            YuNetFace(
                Detection(
                    Box(float(r[0]), float(r[1]), float(r[0] + r[2]), float(r[1] + r[3])),
                    float(r[14]),
                ),
                r[4:14].reshape(5, 2).copy(),
            )
            for r in rows
        ]


def build(config: DetectorConfig) -> YuNetDetector:
    """The registry's builder (``lfr.detect.registry``): YuNet from the user's model folder."""
    return YuNetDetector.from_model_dir(config.model_dir)
