"""The .dat reader: dlib's integer, float, string, bool and tensor encodings, whole networks."""

from __future__ import annotations

import numpy as np
import pytest

from lfr.dlibnet.dat_reader import DatFormatError, DlibStream, read_network
from lfr.dlibnet.layers import Affine, Conv, FullyConnected, Pool
from lfr.embed.resnet_onnx.plan import plan_resnet
from lfr.models import dlib_model_paths
from tests.unit.dlib_dat_bytes import Block, network_bytes, random_resnet


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (b"\x01\x00", 0),
        (b"\x01\x05", 5),
        (b"\x02\x00\x01", 256),
        (b"\x81\x1c", -28),
        (b"\x04\x78\x56\x34\x12", 0x12345678),
    ],
)
def test_integers_are_a_control_byte_then_little_endian_magnitude(data: bytes, value: int) -> None:
    stream = DlibStream(data)
    assert stream.read_int() == value
    assert stream.at_end()


def test_a_float_is_mantissa_then_exponent() -> None:
    # The loss margin at the start of dlib's face model: 0xa3d70a * 2**-28.
    stream = DlibStream(b"\x03\x0a\xd7\xa3\x81\x1c" + b"\x01\x03\x01\x00")
    assert np.float32(stream.read_float()) == np.float32(0.04)
    assert stream.read_float() == 3.0


def test_strings_bools_and_tensors() -> None:
    values = np.array([1.5, -2.0, 0.25, 3.0], dtype="<f4")
    data = (
        b"\x01\x05relu_"
        + b"1"
        + b"0"
        + b"\x01\x02"  # tensor version
        + b"\x01\x01\x01\x02\x01\x01\x01\x02"  # 1 x 2 x 1 x 2
        + values.tobytes()
        + b"\x01\x01\x01\x01\x01\x04\x01\x01\x01\x01"  # alias tensor 1 x 4 x 1 x 1
    )
    stream = DlibStream(data)
    assert stream.read_string() == "relu_"
    assert (stream.read_bool(), stream.read_bool()) == (True, False)
    tensor = stream.read_tensor()
    assert tensor.dtype == np.float32 and tensor.shape == (1, 2, 1, 2)
    np.testing.assert_array_equal(tensor.reshape(-1), values)
    assert stream.read_alias() == (1, 4, 1, 1)
    assert stream.at_end()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x03\x01", "file ends"),
        (b"\x00", "control byte"),
        (b"\x31\x2e", "control byte"),  # dlib's old ASCII floats are not read
    ],
)
def test_bad_integers_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(DatFormatError, match=message):
        DlibStream(data).read_int()


def test_a_bool_must_be_ascii_0_or_1() -> None:
    with pytest.raises(DatFormatError, match="bad bool"):
        DlibStream(b"\x01").read_bool()


def test_a_written_network_reads_back_layer_for_layer() -> None:
    net = random_resnet(27, [Block(4, False), Block(8, True)], stem_padding=1)
    back = read_network(network_bytes(net))
    assert back.wrappers == net.wrappers
    assert back.input == net.input
    assert back.loss.margin == pytest.approx(0.04) and back.loss.distance_threshold == 0.6
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in net.layers]
    for ours, theirs in zip(back.layers, net.layers, strict=True):
        if isinstance(ours, Conv) and isinstance(theirs, Conv):
            np.testing.assert_array_equal(ours.filters, theirs.filters)
            assert (ours.stride, ours.padding) == (theirs.stride, theirs.padding)
        elif isinstance(ours, Affine) and isinstance(theirs, Affine):
            np.testing.assert_array_equal(ours.gamma, theirs.gamma)
            np.testing.assert_array_equal(ours.beta, theirs.beta)
        elif isinstance(ours, FullyConnected) and isinstance(theirs, FullyConnected):
            np.testing.assert_array_equal(ours.weights, theirs.weights)
            assert ours.biases is None
        elif isinstance(ours, Pool):
            assert ours == theirs


def test_trailing_bytes_and_unknown_layers_are_refused() -> None:
    data = network_bytes(random_resnet(9, []))
    with pytest.raises(DatFormatError, match="longer"):
        read_network(data + b"\x01\x00")
    with pytest.raises(DatFormatError, match="unsupported layer 'sig_'"):
        read_network(data.replace(b"\x01\x05relu_", b"\x01\x04sig_", 1))


def test_the_installed_face_model_reads_completely() -> None:
    net = read_network(dlib_model_paths().face_recognition_resnet)
    plan = plan_resnet(net)
    assert net.input.rows == net.input.cols == 150
    assert sum(isinstance(layer, Conv) for layer in net.layers) == 29
    assert len(plan.blocks) == 14
    assert [b.skip_pool is not None for b in plan.blocks].count(True) == 4
    assert plan.stem.weights.shape == (32, 3, 7, 7)
    assert plan.stem.padding == (0, 0) and plan.stem_pool.padding == (0, 0)
    assert plan.projection.shape == (256, 128)
