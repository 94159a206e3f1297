"""The ONNX ResNet embedder and the conversion, on a tiny random network with dlib's chip
size and descriptor length (the real weights are compared with dlib in tests/e2e)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from lfr.cli.main import main
from lfr.dlibnet import files, onnx_graph
from lfr.domain import AlignedFace
from lfr.embed.base import Embedder
from lfr.embed.dlib_resnet import DlibEmbedder
from lfr.embed.resnet_onnx import convert
from lfr.embed.resnet_onnx import embedder as onnx_resnet
from lfr.embed.resnet_onnx.convert import model_bytes
from lfr.embed.resnet_onnx.embedder import CPU, CUDA, OnnxResnetEmbedder, choose_providers
from lfr.errors import ModelNotInstalledError
from lfr.models import DlibModelPaths
from tests.unit.dlib_dat_bytes import Block, network_bytes, random_resnet
from tests.unit.dlib_reference import reference


@pytest.fixture(scope="module")
def tiny_net_bytes() -> bytes:
    return network_bytes(random_resnet(150, [Block(4, True), Block(8, True)], outputs=128))


@pytest.fixture
def dat(tmp_path: Path, tiny_net_bytes: bytes) -> Path:
    path = tmp_path / "tiny_resnet.dat"
    path.write_bytes(tiny_net_bytes)
    return path


def _faces(count: int) -> list[AlignedFace]:
    rng = np.random.default_rng(3)
    return [
        AlignedFace(rng.integers(0, 256, (150, 150, 3), dtype=np.uint8), np.zeros((5, 2)))
        for _ in range(count)
    ]


def test_embedder_has_dlibs_contract_and_computes_the_network(dat: Path) -> None:
    embedder = OnnxResnetEmbedder(dat, "ab" * 32, threads=2)  # converted in memory
    protocol: Embedder = embedder  # checked by the type checker
    assert embedder.contract == DlibEmbedder.contract_for("ab" * 32)
    assert embedder.providers == [CPU]
    faces = _faces(3)
    got = protocol.embed(faces)
    assert got.shape == (3, 128) and got.dtype == np.float32
    net = random_resnet(150, [Block(4, True), Block(8, True)], outputs=128)
    want = reference(net, np.stack([f.chip for f in faces]))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(embedder.embed(faces[:1])[0], got[0])
    assert embedder.embed([]).shape == (0, 128)


def test_embedder_refuses_other_chips_and_thread_counts(dat: Path, tmp_path: Path) -> None:
    model = convert.convert(dat, tmp_path / "tiny.onnx")
    embedder = OnnxResnetEmbedder(dat, "0" * 64, model_path=model)
    assert embedder.model_source == str(model)
    wrong = AlignedFace(np.zeros((112, 112, 3), np.uint8), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="150x150 RGB"):
        embedder.embed([wrong])
    with pytest.raises(ValueError, match="threads"):
        OnnxResnetEmbedder(dat, "0" * 64, threads=0, model_path=model)


def test_cuda_only_when_asked_for_and_present() -> None:
    assert choose_providers([CUDA, CPU], use_gpu=True) == [CUDA, CPU]
    assert choose_providers([CUDA, CPU], use_gpu=False) == [CPU]
    assert choose_providers([CPU], use_gpu=True) == [CPU]


def test_missing_packages_are_named_with_their_pip_command(
    dat: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelNotInstalledError, match="pip install 'onnxruntime"):
        onnx_resnet.OnnxResnetEmbedder(dat, "0" * 64)
    monkeypatch.setattr(onnx_graph, "onnx", None)
    with pytest.raises(ModelNotInstalledError, match="pip install 'onnx"):
        model_bytes(dat)


def test_models_convert_writes_the_graph(
    dat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = DlibModelPaths(tmp_path / "sp.dat", dat, tmp_path / "mmod.dat")
    monkeypatch.setattr("lfr.models.dlib_model_paths", lambda: paths)
    out = tmp_path / "out" / "resnet.onnx"
    assert main(["models", "convert", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"


def test_a_failed_write_leaves_nothing_behind(
    dat: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(source: str, target: Path) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(files.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        convert.convert(dat, tmp_path / "out" / "resnet.onnx")
    assert list((tmp_path / "out").iterdir()) == []


def test_idle_compute_threads_sleep_rather_than_spin(dat: Path) -> None:
    # Spinning threads took the detector's core between a camera's single-face calls.
    embedder = OnnxResnetEmbedder(dat, "0" * 64, threads=2)
    options = embedder._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
