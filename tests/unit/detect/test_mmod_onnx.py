"""The mmod-onnx detector end to end on a tiny random detector (the real weights are compared
with dlib in tests/e2e), its ``upsample``, grey input, a converted file, and its wiring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lfr.app import build_engine
from lfr.cli.main import main
from lfr.config import EngineConfig
from lfr.detect.base import FaceDetector
from lfr.detect.mmod_onnx.boxes import decode
from lfr.detect.mmod_onnx.convert import read_plan
from lfr.detect.mmod_onnx.detector import MmodOnnxDetector
from lfr.detect.mmod_onnx.pyramid import pyramid_layout, tile_pyramid
from lfr.detect.mmod_onnx.upsample import pyramid_up, rect_down
from lfr.dlibnet.dat_reader import read_network
from lfr.domain import Box, Image
from lfr.models import dlib_model_paths
from tests.unit.dlib_mmod_bytes import mmod_bytes, random_mmod
from tests.unit.dlib_reference import forward_chain


@pytest.fixture
def dat(tmp_path: Path) -> Path:
    path = tmp_path / "tiny_mmod.dat"
    path.write_bytes(mmod_bytes(random_mmod(channels=(4, 6))))
    return path


def _image(rows: int = 48, cols: int = 64) -> Image:
    return np.random.default_rng(11).integers(0, 256, (rows, cols, 3), dtype=np.uint8)


def _reference_boxes(dat: Path, image: Image, threshold: float) -> list[tuple[Box, float]]:
    """dlib's forward pass in float64 on the tiled pyramid, then dlib's boxes."""
    plan, net = read_plan(dat), read_network(dat)
    layout = pyramid_layout(*image.shape[:2], plan.padding, plan.outer_padding, 6)
    tensor = tile_pyramid(image, layout, plan.mean_rgb)[None].astype(np.float64)
    scores = forward_chain(net, tensor)[0].astype(np.float32)
    return [(Box(*map(float, f.rect)), f.score) for f in decode(scores, plan, layout, threshold)]


def _threshold(dat: Path, image: Image) -> float:
    """A score that a few dozen positions of this random network exceed."""
    plan, net = read_plan(dat), read_network(dat)
    layout = pyramid_layout(*image.shape[:2], plan.padding, plan.outer_padding, 6)
    tensor = tile_pyramid(image, layout, plan.mean_rgb)[None].astype(np.float64)
    return float(np.quantile(forward_chain(net, tensor), 0.97))


def test_detections_are_dlibs_pipeline_on_the_graph(dat: Path) -> None:
    image = _image()
    threshold = _threshold(dat, image)
    detector = MmodOnnxDetector(dat, threads=2, min_confidence=threshold)
    protocol: FaceDetector = detector  # checked by the type checker
    found = protocol.detect(image)
    want = _reference_boxes(dat, image, threshold)
    assert len(want) > 1 and len(found) == len(want)
    for got, (box, score) in zip(found, want, strict=True):
        assert got.box == box
        assert got.confidence == pytest.approx(score, abs=1e-4)
    assert detector.name == "mmod-onnx" and detector.threads == 2


def test_a_grey_image_is_its_three_channel_copy(dat: Path) -> None:
    grey = _image()[:, :, 0]
    detector = MmodOnnxDetector(dat, min_confidence=_threshold(dat, np.dstack([grey] * 3)))
    assert detector.detect(grey) == detector.detect(np.dstack([grey] * 3))
    assert detector.detect(grey)


def test_upsampling_finds_on_the_bigger_image_and_reports_original_pixels(dat: Path) -> None:
    image = _image(24, 32)
    bigger = pyramid_up(image)
    detector = MmodOnnxDetector(dat, min_confidence=_threshold(dat, bigger))
    upsampled = detector.detect(image, upsample=1)
    on_bigger = detector.detect(bigger)
    assert upsampled and len(upsampled) == len(on_bigger)
    for small, big in zip(upsampled, on_bigger, strict=True):
        rect = (int(big.box.left), int(big.box.top), int(big.box.right), int(big.box.bottom))
        assert small.box == Box(*map(float, rect_down(rect, 1)))
        assert small.confidence == big.confidence


def test_a_too_small_image_has_no_faces(dat: Path) -> None:
    assert MmodOnnxDetector(dat, min_confidence=-1e9).detect(_image(30, 8)) == []


def test_a_graph_converted_to_a_file_detects_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "models" / "mmod.onnx"
    assert main(["models", "convert", "--detector", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    in_memory = MmodOnnxDetector.from_installed(min_confidence=-0.5)
    weights = dlib_model_paths().mmod_detector
    from_file = MmodOnnxDetector(weights, min_confidence=-0.5, model_path=out)
    image = _image(120, 160)
    assert from_file.detect(image) == in_memory.detect(image)
    assert sorted(p.name for p in out.parent.iterdir()) == ["mmod.onnx"]


def test_the_engine_builds_it_from_config() -> None:
    config = EngineConfig.model_validate(
        {"detector": {"backend": "mmod-onnx", "threads": 3}, "embedder": {"backend": "dlib-resnet"}}
    )
    engine = build_engine(config)
    assert isinstance(engine.detector, MmodOnnxDetector) and engine.detector.threads == 3
