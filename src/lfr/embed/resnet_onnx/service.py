"""dlib's ResNet on ONNX Runtime as the engine uses it: checked against dlib, behind one
batching service that many cameras' engines share (``lfr.app.CameraEngines``)."""

from __future__ import annotations

import os

from lfr.config import EngineConfig
from lfr.embed.base import Aligner, Embedder, ReferenceChips
from lfr.embed.batching import BatchingEmbedder
from lfr.embed.dlib_backend import installed_aligner
from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder, cuda_available
from lfr.embed.resnet_onnx.parity import require_dlibs_descriptors
from lfr.errors import ModelNotInstalledError
from lfr.models import dlib_model_paths, sha256_file


def batching_service(config: EngineConfig, reference_chips: ReferenceChips) -> BatchingEmbedder:
    """The converted graph on the configured device, refused unless it gives dlib's
    descriptors there, batching faces across the engines that share it."""
    cfg = config.embedder
    if cfg.device == "cuda" and not cuda_available():
        raise ModelNotInstalledError(
            "embedder device 'cuda' asked for, but onnxruntime has no CUDA provider here"
            " (pip install onnxruntime-gpu, on a machine with an NVIDIA GPU)"
        )
    weights = dlib_model_paths().face_recognition_resnet
    inner = OnnxResnetEmbedder(
        weights,
        sha256_file(weights),
        threads=cfg.threads or min(8, os.cpu_count() or 1),
        use_gpu=cfg.device != "cpu",
    )
    require_dlibs_descriptors(inner, reference_chips)
    return BatchingEmbedder(inner, cfg.batch_max_faces, cfg.batch_max_wait_ms / 1000.0)


def build(config: EngineConfig, reference_chips: ReferenceChips) -> tuple[Aligner, Embedder]:
    """The registry's builder (``lfr.embed.registry``): dlib's aligner and the ONNX service."""
    return installed_aligner(), batching_service(config, reference_chips)
