"""Either embedder backend gives the same single alert on the real clip, and the cameras of
one process share one batching embedding service (real models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from lfr.app import CameraEngines, build_engine, demo_face_chips
from lfr.config import EngineConfig
from lfr.domain import Alert, AlignedFace
from lfr.embed.batching import BatchingEmbedder, SharedEmbedder
from lfr.embed.dlib_resnet import DlibEmbedder
from lfr.embed.registry import resolve_backend
from lfr.embed.resnet_onnx.convert import model_bytes
from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder
from lfr.embed.resnet_onnx.parity import require_dlibs_descriptors
from lfr.errors import IntegrityError
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.models import dlib_model_paths, sha256_file
from lfr.pipeline.engine import run_source
from tests.e2e.conftest import CLIP, LIN


def config(backend: str) -> EngineConfig:
    return EngineConfig.model_validate({"embedder": {"backend": backend}})


def test_auto_means_onnx_when_onnxruntime_is_installed() -> None:
    assert resolve_backend(EngineConfig()) == "onnx-resnet"
    assert resolve_backend(config("dlib-resnet")) == "dlib-resnet"


@pytest.mark.parametrize("backend", ["dlib-resnet", "onnx-resnet"])
def test_the_clip_gives_the_same_single_alert_with_either_backend(
    backend: str, watchlist: Watchlist
) -> None:
    engine = build_engine(config(backend))
    try:
        expected = BatchingEmbedder if backend == "onnx-resnet" else DlibEmbedder
        assert isinstance(engine.embedder, expected)
        assert engine.embedder.contract == watchlist.contract  # templates are comparable
        alerts: list[Alert] = []
        summary = run_source(engine, VideoFileSource(CLIP), watchlist, alerts.append)
    finally:
        engine.close()
    assert [a.subject.reference for a in alerts] == [LIN]
    assert summary.embeddings > 0 and alerts[0].distance <= alerts[0].threshold


def test_cameras_of_one_process_share_one_embedding_service(watchlist: Watchlist) -> None:
    engines = CameraEngines(EngineConfig())
    first, second = engines(), engines()
    try:
        assert isinstance(first.embedder, SharedEmbedder)
        assert isinstance(second.embedder, SharedEmbedder)
        assert first.detector is not second.detector and first.aligner is not second.aligner
        first.close()  # one camera stopping leaves the service to the others
        alerts: list[Alert] = []
        run_source(second, VideoFileSource(CLIP), watchlist, alerts.append)
        assert [a.subject.reference for a in alerts] == [LIN]
    finally:
        engines.close()
    chip = np.zeros((150, 150, 3), np.uint8)
    with pytest.raises(RuntimeError, match="closed"):  # the owner closed it: nobody uses it
        second.embedder.submit([AlignedFace(chip, np.zeros((5, 2), np.float32))])


def test_a_graph_that_does_not_give_dlibs_descriptors_is_refused(tmp_path: Path) -> None:
    weights = dlib_model_paths().face_recognition_resnet
    model = onnx.load_from_string(model_bytes(weights))
    fc = max(model.graph.initializer, key=lambda t: t.dims[-1] if t.dims else 0)
    weights_array = numpy_helper.to_array(fc) * np.float32(1.01)  # a 1% change, still "a model"
    fc.CopyFrom(numpy_helper.from_array(weights_array, fc.name))
    bad = tmp_path / "changed.onnx"
    onnx.save(model, str(bad))
    good = OnnxResnetEmbedder(weights, sha256_file(weights))
    require_dlibs_descriptors(good, demo_face_chips)  # the graph converted in memory passes
    changed = OnnxResnetEmbedder(weights, sha256_file(weights), model_path=bad)
    assert changed.contract == good.contract  # it would claim dlib's contract ...
    with pytest.raises(IntegrityError, match="does not give dlib's descriptors"):
        require_dlibs_descriptors(changed, demo_face_chips)  # ... but is refused


def test_using_the_onnx_backend_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The graph is converted in memory, never cached on disk. (ONNX Runtime's own files are
    # checked in a fresh process by test_cli_flows and test_privacy: here it is imported.)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    build_engine(config("onnx-resnet")).close()
    assert list(tmp_path.iterdir()) == []
