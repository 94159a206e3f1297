"""dlib's ResNet as a registry backend (``lfr.embed.registry``): dlib's aligner and descriptor
from the installed ``face_recognition_models``, in this process or in a worker of its own."""

from __future__ import annotations

from lfr.config import EngineConfig
from lfr.embed.base import Aligner, Embedder, ReferenceChips
from lfr.embed.dlib_resnet import DlibAligner, DlibEmbedder
from lfr.embed.process_pool import ProcessEmbedder
from lfr.models import dlib_model_paths, sha256_file


def installed_aligner() -> DlibAligner:
    """dlib's 5-point aligner from the installed ``face_recognition_models``."""
    return DlibAligner(dlib_model_paths().shape_predictor_5)


def build(config: EngineConfig, reference_chips: ReferenceChips) -> tuple[Aligner, Embedder]:
    """The registry's builder: with ``separate_process`` the descriptor runs in a worker (it
    holds the GIL ~80 ms a face), else here."""
    weights = dlib_model_paths().face_recognition_resnet
    embedder_type = ProcessEmbedder if config.embedder.separate_process else DlibEmbedder
    return installed_aligner(), embedder_type(weights, sha256_file(weights))
