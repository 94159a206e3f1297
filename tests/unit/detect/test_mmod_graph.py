"""The MMOD graph against dlib's layers in numpy (tests/unit/dlib_reference.py), convolution
then a separate affine, on tiny random detectors and inputs of several sizes."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from lfr.detect.mmod_onnx.convert import model_bytes, read_plan
from lfr.detect.mmod_onnx.graph import INPUT_NAME, OUTPUT_NAME, build_model
from lfr.dlibnet.dat_reader import read_network
from lfr.dlibnet.layers import DetectorWindow
from tests.unit.dlib_mmod_bytes import mmod_bytes, random_mmod
from tests.unit.dlib_reference import forward_chain


@pytest.mark.parametrize(
    ("windows", "shape"),
    [
        ((DetectorWindow(12, 12, ""),), (1, 3, 41, 57)),
        ((DetectorWindow(12, 12, "a"), DetectorWindow(8, 16, "b")), (2, 3, 30, 23)),
    ],
)
def test_scores_match_dlibs_layers(
    windows: tuple[DetectorWindow, ...], shape: tuple[int, int, int, int]
) -> None:
    data = mmod_bytes(random_mmod(channels=(4, 6, 5), windows=windows, options_version=4))
    session = ort.InferenceSession(model_bytes(read_plan(data)), providers=["CPUExecutionProvider"])
    tensor = np.random.default_rng(5).normal(0, 0.3, shape).astype(np.float32)
    (scores,) = session.run([OUTPUT_NAME], {INPUT_NAME: tensor})
    want = forward_chain(read_network(data), tensor.astype(np.float64))
    assert scores.shape == want.shape == (shape[0], len(windows), *want.shape[2:])
    np.testing.assert_allclose(scores, want, rtol=1e-4, atol=1e-5)


def test_one_graph_serves_every_frame_size() -> None:
    model = build_model(read_plan(mmod_bytes(random_mmod())))
    [pyramid] = model.graph.input
    [scores] = model.graph.output
    dims = [d.dim_param or d.dim_value for d in pyramid.type.tensor_type.shape.dim]
    assert (pyramid.name, dims) == (INPUT_NAME, ["N", 3, "rows", "cols"])
    assert [d.dim_param or d.dim_value for d in scores.type.tensor_type.shape.dim][1] == 1
    assert min(opset.version for opset in model.opset_import) >= 17
