"""OpenCV's SFace face recogniser (``cv2.FaceRecognizerSF``) on user-supplied ONNX weights.

Optional backend: get ``face_recognition_sface_2021dec.onnx`` from the OpenCV model zoo and
pass its directory (:meth:`SFaceEmbedder.from_model_dir`) or the file itself.

Wiring. SFace wants a 112x112 chip warped from YuNet's five landmarks. The
:class:`lfr.embed.base.Aligner` protocol only passes a box, so :class:`SFaceAligner` finds
the landmarks itself: it runs a YuNet detector on a padded crop around the box and keeps the
face that overlaps the box best. Give it its own :class:`YuNetDetector` (a second instance
of the same weights), so alignment does not queue behind the detector stage. Callers that
already hold YuNet's landmarks (from :meth:`YuNetDetector.detect_with_landmarks`) can skip
the second pass with :meth:`SFaceAligner.align_face`.

Limitation: when no landmark detector is given, or YuNet finds no face overlapping the box,
the chip is the box warped onto SFace's landmark template, and the landmarks reported in the
:class:`AlignedFace` are that template mapped into the box: an estimate that always looks
frontal, so pose gates computed from it mean nothing. Such chips embed worse.

Landmark layout. The landmarks in an :class:`AlignedFace` made here are put in dlib's
5-point layout, which the quality gate (``lfr.embed.quality.pose_from_landmarks``) reads:
points 0-1 the eye on the image's right, 2-3 the eye on the image's left, 4 the nose. YuNet
gives one centre per eye, so each eye's centre stands for both its corners, and point 4 is
YuNet's nose *tip* (dlib's is the nose base): for the same head turn, yaw reads somewhat
larger than with dlib. The mouth corners are used for the warp but not reported. YuNet's
own order is kept in :class:`YuNetFace` (see :func:`dlib_layout`).
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from lfr.config import EngineConfig
from lfr.detect.onnx_yunet import YuNetDetector, YuNetFace
from lfr.domain import AlignedFace, Box, Detection, EmbeddingContract, Image
from lfr.embed.base import Aligner, Embedder, ReferenceChips
from lfr.errors import ModelNotInstalledError
from lfr.models import describe_cv_error, require_model_file, sha256_file

SFACE_FILENAME = "face_recognition_sface_2021dec.onnx"
SFACE_PATTERNS = [SFACE_FILENAME, "*sface*.onnx"]
SFACE_MODEL_ID = "opencv-sface-2021dec"
SFACE_PREPROCESSING = "cv2.FaceRecognizerSF.alignCrop 112x112 from YuNet 5 landmarks, BGR"
CHIP_SIZE = 112
DIMENSION = 128

# Where alignCrop puts the five landmarks in the 112x112 chip (OpenCV's face_recognize.cpp).
_TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)


class SFaceEmbedder:
    """Implements :class:`lfr.embed.base.Embedder` with SFace.

    Chips are RGB (the pipeline's convention), 112x112, as made by :class:`SFaceAligner`;
    they are converted to BGR for the network. Descriptors are L2-normalised, so the cosine
    similarity of two of them is their dot product and the Euclidean distance is
    ``sqrt(2 - 2 cos)``. OpenCV's published SFace threshold is cosine >= 0.363.
    """

    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        if not self.model_path.is_file():
            raise ModelNotInstalledError(
                f"SFace face recogniser model {self.model_path} does not exist or is not a file"
            )
        try:
            self._net = cv2.FaceRecognizerSF.create(str(self.model_path), "")
            # A graph that parses but is not SFace fails only on first use: fail now instead.
            probe = np.asarray(self._net.feature(np.zeros((CHIP_SIZE, CHIP_SIZE, 3), np.uint8)))
        except cv2.error as exc:
            raise ModelNotInstalledError(
                f"{self.model_path} could not be loaded as an SFace face recogniser "
                f"(expected {SFACE_FILENAME} from the OpenCV model zoo): {describe_cv_error(exc)}"
            ) from exc
        if probe.size != DIMENSION:
            raise ModelNotInstalledError(
                f"{self.model_path} is not an SFace face recogniser: it outputs {probe.size} "
                f"values per face, not {DIMENSION} (expected {SFACE_FILENAME})"
            )
        self.contract = EmbeddingContract(
            model_id=SFACE_MODEL_ID,
            weights_sha256=sha256_file(self.model_path),
            dimension=DIMENSION,
            preprocessing=SFACE_PREPROCESSING,
            metric="cosine",
        )
        self._lock = threading.Lock()

    @classmethod
    def from_model_dir(cls, model_dir: Path | None) -> SFaceEmbedder:
        """Find the SFace weights in ``model_dir`` (see :data:`SFACE_PATTERNS`) and load them."""
        return cls(require_model_file(model_dir, SFACE_PATTERNS, "SFace face recogniser"))

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(faces), DIMENSION), dtype=np.float32)
        for i, face in enumerate(faces):
            chip = face.chip
            if chip.shape != (CHIP_SIZE, CHIP_SIZE, 3):
                raise ValueError(
                    f"SFace needs {CHIP_SIZE}x{CHIP_SIZE} RGB chips from SFaceAligner, "
                    f"got shape {chip.shape}"
                )
            bgr = cv2.cvtColor(np.ascontiguousarray(chip), cv2.COLOR_RGB2BGR)
            with self._lock:
                feature = np.asarray(self._net.feature(bgr), dtype=np.float32).reshape(-1)
            norm = float(np.linalg.norm(feature))
            out[i] = feature / norm if norm > 0 else feature
        return out

    def align_crop(self, image: Image, face_row: npt.NDArray[np.float32]) -> Image:
        """``cv2.FaceRecognizerSF.alignCrop`` on a 1x15 YuNet row; pure geometry, any channels."""
        chip = self._net.alignCrop(np.ascontiguousarray(image), face_row)
        return np.asarray(chip, dtype=np.uint8)


class SFaceAligner:
    """Implements :class:`lfr.embed.base.Aligner` for :class:`SFaceEmbedder` (see module doc).

    ``landmarks`` is the YuNet detector used to find the five landmarks inside each box;
    ``margin`` is how much of the box size is added on every side of the crop it searches.
    ``min_iou`` is how well a face YuNet finds there must overlap the box to be used.
    """

    def __init__(
        self,
        recognizer: SFaceEmbedder,
        landmarks: YuNetDetector | None = None,
        margin: float = 0.5,
        min_iou: float = 0.3,
    ) -> None:
        self._recognizer = recognizer
        self._landmarks = landmarks
        self._margin = margin
        self._min_iou = min_iou

    def align(self, image: Image, box: Box) -> AlignedFace:
        face = self._find_landmarks(image, box)
        if face is None:
            face = YuNetFace(Detection(box, 0.0), template_landmarks(box))
        return self.align_face(image, face)

    def align_face(self, image: Image, face: YuNetFace) -> AlignedFace:
        """Align with landmarks YuNet already found (no second detection pass)."""
        chip = self._recognizer.align_crop(image, face.as_cv_row())
        return AlignedFace(chip=chip, landmarks=dlib_layout(face.landmarks))

    def _find_landmarks(self, image: Image, box: Box) -> YuNetFace | None:
        if self._landmarks is None or box.width <= 0 or box.height <= 0:
            return None
        height, width = image.shape[:2]
        pad_x, pad_y = box.width * self._margin, box.height * self._margin
        left = max(0, int(np.floor(box.left - pad_x)))
        top = max(0, int(np.floor(box.top - pad_y)))
        right = min(width, int(np.ceil(box.right + pad_x)))
        bottom = min(height, int(np.ceil(box.bottom + pad_y)))
        if right - left < 2 or bottom - top < 2:
            return None
        crop = np.ascontiguousarray(image[top:bottom, left:right])
        best: YuNetFace | None = None
        best_iou = self._min_iou
        for found in self._landmarks.detect_with_landmarks(crop):
            b = found.detection.box
            shifted = Box(b.left + left, b.top + top, b.right + left, b.bottom + top)
            overlap = shifted.iou(box)
            if overlap >= best_iou:
                offset = np.array([left, top], dtype=np.float32)
                best = YuNetFace(
                    Detection(shifted, found.detection.confidence), found.landmarks + offset
                )
                best_iou = overlap
        return best


def template_landmarks(box: Box) -> npt.NDArray[np.float32]:
    """SFace's chip landmark template stretched onto ``box``: the landmark-free fallback."""
    scale = np.array([box.width, box.height], dtype=np.float32) / np.float32(CHIP_SIZE)
    origin = np.array([box.left, box.top], dtype=np.float32)
    return (origin + _TEMPLATE * scale).astype(np.float32)


def dlib_layout(yunet_points: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """YuNet's 5 points (right eye, left eye, nose tip, mouth corners) in dlib's layout.

    dlib's 5-point model gives the two corners of the eye on the image's right, then of the
    eye on the image's left, then the nose base. YuNet's "right eye" is the subject's right,
    on the image's left, so the result is ``[left, left, right, right, nose]``.
    """
    points = np.asarray(yunet_points, dtype=np.float32).reshape(5, 2)
    return points[[1, 1, 0, 0, 2]].copy()


def build(config: EngineConfig, reference_chips: ReferenceChips) -> tuple[Aligner, Embedder]:
    """The registry's builder (``lfr.embed.registry``): SFace from the user's model folder,
    aligned on YuNet's landmarks (from the embedder's folder, else the detector's)."""
    embedder = SFaceEmbedder.from_model_dir(config.embedder.model_dir)
    landmarks = YuNetDetector.from_model_dir(config.embedder.model_dir or config.detector.model_dir)
    return SFaceAligner(embedder, landmarks), embedder
