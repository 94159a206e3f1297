"""Composition root: the one place that builds models and wires the stages together.

Nothing is built at import time; the command line (and later the services) call these
functions with a validated ``EngineConfig``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from threadpoolctl import threadpool_limits

from lfr.access.services import Services
from lfr.audit.log import AuditLog
from lfr.config import EngineConfig, Settings
from lfr.detect.base import FaceDetector
from lfr.embed.base import Aligner, Embedder
from lfr.models import dlib_model_paths, sha256_file
from lfr.pipeline.engine import Engine
from lfr.store.crypto import DataCipher
from lfr.store.db import Database, migrate, sqlite_url
from lfr.store.keys import create_keys, load_keys


def build_engine(config: EngineConfig) -> Engine:
    # One probe at a time is far too small a job for several BLAS threads; on a 2-core machine
    # their wake-ups stalled a 0.07 ms search to 8 ms in 3 of 10 benchmark runs.
    threadpool_limits(limits=1, user_api="blas")
    detector = _build_detector(config)
    aligner, embedder = _build_embedder(config)
    return Engine(config, detector, aligner, embedder)


def _build_detector(config: EngineConfig) -> FaceDetector:
    cfg = config.detector
    if cfg.backend == "onnx-yunet":
        from lfr.detect.onnx_yunet import YuNetDetector

        return YuNetDetector.from_model_dir(cfg.model_dir)
    if cfg.backend == "dlib-mmod":
        from lfr.detect.dlib_mmod import MmodDetector

        return MmodDetector(dlib_model_paths().mmod_detector, cfg.min_confidence)
    from lfr.detect.dlib_hog import HogDetector

    return HogDetector(cfg.min_confidence)


def _build_embedder(config: EngineConfig) -> tuple[Aligner, Embedder]:
    cfg = config.embedder
    if cfg.backend == "onnx-sface":
        from lfr.detect.onnx_yunet import YuNetDetector
        from lfr.embed.onnx_sface import SFaceAligner, SFaceEmbedder

        embedder = SFaceEmbedder.from_model_dir(cfg.model_dir)
        landmarks = YuNetDetector.from_model_dir(cfg.model_dir or config.detector.model_dir)
        return SFaceAligner(embedder, landmarks), embedder
    from lfr.embed.dlib_resnet import DlibAligner, DlibEmbedder

    paths = dlib_model_paths()
    weights = paths.face_recognition_resnet
    aligner = DlibAligner(paths.shape_predictor_5)
    if cfg.separate_process:
        from lfr.embed.process_pool import ProcessEmbedder

        return aligner, ProcessEmbedder(weights, sha256_file(weights))
    return aligner, DlibEmbedder(weights, sha256_file(weights))


def build_services(settings: Settings, environ: Mapping[str, str]) -> Services:
    """Open the governed system: keys, database (migrated to the newest schema), audit log."""
    keys = load_keys(settings.data_dir, environ)
    url = settings.database_url or sqlite_url(settings.data_dir)
    migrate(url)
    audit = AuditLog(keys.audit_signing, keys.audit_public)
    return Services(Database(url), DataCipher(keys.data_key), audit, settings.data_dir)


def init_data_dir(settings: Settings) -> list[Path]:
    """Create the data directory and its keys (mode 0600), then the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = create_keys(settings.data_dir)
    migrate(settings.database_url or sqlite_url(settings.data_dir))
    return created
