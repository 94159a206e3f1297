"""dlib's ResNet face descriptor run by onnxruntime: the same descriptors, ~10x faster.

The graph is converted from dlib's own ``.dat`` (see :mod:`lfr.embed.resnet_onnx`) and gives
dlib's descriptors to within ~3e-7, so the embedding contract is dlib's own: templates
enrolled with either backend are compared with each other. Chips come from
:class:`lfr.embed.dlib_resnet.DlibAligner` (150x150 RGB uint8). onnxruntime releases the GIL
while it runs, and one call embeds a whole batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from lfr.dlibnet.runtime import import_onnxruntime
from lfr.domain import AlignedFace, Image
from lfr.embed.dlib_resnet import CHIP_SIZE, DlibEmbedder
from lfr.embed.resnet_onnx.convert import model_bytes
from lfr.embed.resnet_onnx.graph import INPUT_NAME
from lfr.models import dlib_model_paths, sha256_file

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"


def _onnxruntime() -> Any:
    return import_onnxruntime("the ONNX dlib-resnet embedder")


def cuda_available() -> bool:
    """Whether the installed onnxruntime can run on CUDA (onnxruntime-gpu with a GPU)."""
    return CUDA in _onnxruntime().get_available_providers()


def choose_providers(available: Sequence[str], use_gpu: bool) -> list[str]:
    """CUDA first when asked for and present, CPU always (for anything CUDA cannot run)."""
    return [CUDA, CPU] if use_gpu and CUDA in available else [CPU]


class OnnxResnetEmbedder:
    """Implements :class:`lfr.embed.base.Embedder` with dlib's weights on onnxruntime.

    ``threads`` is onnxruntime's intra-op thread count for one call (1 suits one embedder
    per camera worker); ``use_gpu`` puts the graph on CUDA when onnxruntime-gpu has it.
    ``model_path`` is a converted graph (``lfr models convert --out``); by default the
    ``.dat`` is converted in memory (a quarter of a second), so nothing is written to disk and
    no file can stand in for dlib's weights.
    """

    def __init__(
        self,
        weights: Path,
        weights_sha256: str,
        threads: int = 1,
        use_gpu: bool = False,
        model_path: Path | None = None,
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        ort = _onnxruntime()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle compute threads sleep instead of spinning: between a camera's calls the spin
        # took the detector's core (measured: 31 ms of CPU a single-face call on two threads
        # with spinning, 12 ms without, for the same descriptors).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model = model_path.read_bytes() if model_path is not None else model_bytes(weights)
        self.providers = choose_providers(ort.get_available_providers(), use_gpu)
        self._session = ort.InferenceSession(model, options, providers=self.providers)
        self.contract = DlibEmbedder.contract_for(weights_sha256)
        self.model_source = str(model_path) if model_path is not None else "converted in memory"
        self.model_sha256 = hashlib.sha256(model).hexdigest()

    @classmethod
    def from_installed(cls, threads: int = 1, use_gpu: bool = False) -> OnnxResnetEmbedder:
        """With the weights of the installed ``face_recognition_models`` package."""
        weights = dlib_model_paths().face_recognition_resnet
        return cls(weights, sha256_file(weights), threads=threads, use_gpu=use_gpu)

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        if not faces:
            return np.zeros((0, self.contract.dimension), np.float32)
        return self.embed_chips([f.chip for f in faces])

    def embed_chips(self, chips: Sequence[Image]) -> npt.NDArray[np.float32]:
        """Descriptors of 150x150 RGB uint8 chips, in one onnxruntime call."""
        for chip in chips:
            if chip.shape != (CHIP_SIZE, CHIP_SIZE, 3):
                raise ValueError(
                    f"dlib's ResNet needs {CHIP_SIZE}x{CHIP_SIZE} RGB chips from DlibAligner, "
                    f"got shape {chip.shape}"
                )
        batch = np.ascontiguousarray(np.stack(chips), dtype=np.uint8)
        (descriptors,) = self._session.run(None, {INPUT_NAME: batch})
        return np.asarray(descriptors, dtype=np.float32)


def max_abs_difference(
    chips: Sequence[Image],
    onnx_embedder: OnnxResnetEmbedder | None = None,
    dlib_embedder: DlibEmbedder | None = None,
) -> float:
    """The largest |dlib - onnx| over every element of the descriptors of ``chips``.

    The check behind the claim that both backends share one embedding contract: on real
    faces it is ~3e-7, for descriptors whose elements are ~0.1 and whose match threshold on
    the Euclidean distance is 0.6. Embedders default to the installed dlib weights.
    """
    if not chips:
        raise ValueError("no face chips to compare")
    if dlib_embedder is None:
        weights = dlib_model_paths().face_recognition_resnet
        dlib_embedder = DlibEmbedder(weights, sha256_file(weights))
    onnx_embedder = onnx_embedder or OnnxResnetEmbedder.from_installed()
    if onnx_embedder.contract != dlib_embedder.contract:
        raise ValueError("the two embedders were built from different weights")
    faces = [AlignedFace(chip=c, landmarks=np.zeros((0, 2), np.float32)) for c in chips]
    difference = np.abs(dlib_embedder.embed(faces) - onnx_embedder.embed(faces))
    return float(difference.max())
