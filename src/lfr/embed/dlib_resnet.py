"""dlib's 5-point aligner and ResNet face descriptor (128-d, 99.38% on LFW)."""

from __future__ import annotations

from pathlib import Path

import dlib
import numpy as np
import numpy.typing as npt

from lfr.domain import AlignedFace, Box, EmbeddingContract, Image

CHIP_SIZE = 150
CHIP_PADDING = 0.25
PREPROCESSING = (
    f"dlib shape_predictor_5_face_landmarks; get_face_chip(size={CHIP_SIZE},"
    f" padding={CHIP_PADDING}); RGB uint8; no jitter"
)


class DlibAligner:
    def __init__(self, predictor_weights: Path) -> None:
        self._predictor = dlib.shape_predictor(str(predictor_weights))

    def align(self, image: Image, box: Box) -> AlignedFace:
        rect = dlib.rectangle(int(box.left), int(box.top), int(box.right), int(box.bottom))
        shape = self._predictor(image, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)
        chip = np.asarray(dlib.get_face_chip(image, shape, CHIP_SIZE, CHIP_PADDING), np.uint8)
        return AlignedFace(chip=chip, landmarks=points)


class DlibEmbedder:
    """One descriptor costs ~80 ms on one core and holds the GIL; batching does not help."""

    def __init__(self, weights: Path, weights_sha256: str) -> None:
        self._model = dlib.face_recognition_model_v1(str(weights))
        self.contract = self.contract_for(weights_sha256)

    @staticmethod
    def contract_for(weights_sha256: str) -> EmbeddingContract:
        return EmbeddingContract(
            model_id="dlib_face_recognition_resnet_model_v1",
            weights_sha256=weights_sha256,
            dimension=128,
            preprocessing=PREPROCESSING,
        )

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        if not faces:
            return np.zeros((0, self.contract.dimension), np.float32)
        vectors = self._model.compute_face_descriptor([f.chip for f in faces])
        return np.array([np.asarray(v) for v in vectors], dtype=np.float32)
