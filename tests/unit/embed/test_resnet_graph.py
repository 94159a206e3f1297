"""The ONNX graph against a numpy reference of dlib's layers (tests/unit/dlib_reference.py)
on tiny random ResNets, including the residual sums of operands of different sizes."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import pytest

from lfr.dlibnet.dat_reader import DatFormatError, read_network
from lfr.dlibnet.layers import Affine, DlibNetwork
from lfr.embed.resnet_onnx.graph import INPUT_NAME, build_model
from lfr.embed.resnet_onnx.plan import plan_resnet
from tests.unit.dlib_dat_bytes import Block, network_bytes, random_resnet
from tests.unit.dlib_reference import reference


def _run(net: DlibNetwork, chips: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    model = build_model(plan_resnet(read_network(network_bytes(net))))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {INPUT_NAME: chips})
    return np.asarray(out)


def _chips(size: int, count: int = 3) -> npt.NDArray[np.uint8]:
    return np.random.default_rng(7).integers(0, 256, (count, size, size, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    ("size", "blocks", "padding"),
    [
        # 27 -> 13 -> 6; the down block's convolution gives 2x2, its skip pool 3x3.
        (27, [Block(4, False), Block(8, True), Block(8, False)], 0),
        # Padded stem, max pool and skip pool: 30 -> 15 -> 8 -> conv 3x3 vs pool 5x5.
        (30, [Block(4, True)], 1),
        # Down blocks whose two paths agree in size: 31 -> 15 -> 7 -> 3 -> 1.
        (31, [Block(4, True), Block(6, True)], 0),
    ],
)
def test_graph_matches_dlibs_layers(size: int, blocks: list[Block], padding: int) -> None:
    net = random_resnet(
        size, blocks, stem_padding=padding, pool_padding=padding, skip_padding=padding
    )
    chips = _chips(size)
    got = _run(net, chips)
    want = reference(net, chips)
    assert got.shape == (3, 5) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_the_model_has_one_dynamic_batch_input_and_output() -> None:
    model = build_model(plan_resnet(random_resnet(21, [Block(4, True)])))
    [chips] = model.graph.input
    [descriptors] = model.graph.output
    dims = [d.dim_param or d.dim_value for d in chips.type.tensor_type.shape.dim]
    assert (chips.name, dims) == (INPUT_NAME, ["N", 21, 21, 3])
    out_dims = [d.dim_param or d.dim_value for d in descriptors.type.tensor_type.shape.dim]
    assert out_dims == ["N", 5]


def test_misplaced_tags_or_layers_are_refused() -> None:
    net = random_resnet(27, [Block(4, False), Block(8, True)])
    with pytest.raises(DatFormatError, match="tag and skip"):
        plan_resnet(dataclasses.replace(net, wrappers=net.wrappers.replace("T", "L", 1)))
    no_affine = tuple(layer for layer in net.layers if not isinstance(layer, Affine))
    with pytest.raises(DatFormatError, match="expected Affine"):
        plan_resnet(dataclasses.replace(net, layers=no_affine))
