"""dlib's serialisation written by hand, and tiny dlib ResNets built from random weights.

The writer follows dlib's ``serialize`` functions field by field (the versions the real
``dlib_face_recognition_resnet_model_v1.dat`` uses: ``con_4``, ``affine_``, ``relu_``,
``max_pool_2``, ``avg_pool_2``, ``add_prev_``, ``fc_2``), so the reader can be tested on
networks of any shape without dlib.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lfr.dlibnet.layers import (
    AddPrev,
    Affine,
    Conv,
    DlibNetwork,
    FullyConnected,
    InputRgb,
    Layer,
    MetricLoss,
    Pool,
    Relu,
)

Floats = npt.NDArray[np.float32]


def int_bytes(value: int) -> bytes:
    magnitude = abs(value)
    body = magnitude.to_bytes(max(1, (magnitude.bit_length() + 7) // 8), "little")
    return bytes([len(body) | (0x80 if value < 0 else 0)]) + body


def float_bytes(value: float) -> bytes:
    mantissa, exponent = math.frexp(value)
    return int_bytes(int(mantissa * 2**53)) + int_bytes(exponent - 53)


def string_bytes(text: str) -> bytes:
    return int_bytes(len(text)) + text.encode("latin-1")


def bool_bytes(value: bool) -> bytes:
    return b"1" if value else b"0"


def tensor_bytes(values: Floats, shape: tuple[int, int, int, int] | None = None) -> bytes:
    dims = shape or (1, values.size, 1, 1)
    header = int_bytes(2) + b"".join(int_bytes(d) for d in dims)
    return header + np.ascontiguousarray(values, dtype="<f4").tobytes()


def alias_bytes(*shape: int) -> bytes:
    dims = (*shape, 1, 1, 1)[:4]
    return int_bytes(1) + b"".join(int_bytes(d) for d in dims)


_EMPTY = tensor_bytes(np.zeros(0, np.float32), (0, 0, 0, 0))
_MULTIPLIERS = float_bytes(1.0) + float_bytes(1.0) + float_bytes(1.0) + float_bytes(0.0)


def layer_bytes(layer: Layer) -> bytes:
    if isinstance(layer, Conv):
        o, i, r, c = layer.filters.shape
        biases = layer.biases if layer.biases is not None else np.zeros(o, np.float32)
        params = np.concatenate([layer.filters.reshape(-1), biases])
        return (
            string_bytes("con_4")
            + tensor_bytes(params)
            + b"".join(int_bytes(v) for v in (o, r, c, *layer.stride, *layer.padding))
            + alias_bytes(o, i, r, c)
            + alias_bytes(1, o)
            + _MULTIPLIERS
        )
    if isinstance(layer, Affine):
        k = layer.gamma.size
        params = np.concatenate([layer.gamma, layer.beta])
        aliases = alias_bytes(1, k) + alias_bytes(1, k)
        return string_bytes("affine_") + tensor_bytes(params) + aliases + int_bytes(0)
    if isinstance(layer, Pool):
        name = "max_pool_2" if layer.is_max else "avg_pool_2"
        sizes = (*layer.window, *layer.stride, *layer.padding)
        return string_bytes(name) + b"".join(int_bytes(v) for v in sizes)
    if isinstance(layer, FullyConnected):
        inputs, outputs = layer.weights.shape
        return (
            string_bytes("fc_2")
            + int_bytes(outputs)
            + int_bytes(inputs)
            + tensor_bytes(layer.weights.reshape(-1), (inputs, outputs, 1, 1))
            + alias_bytes(inputs, outputs)
            + alias_bytes(0, 0, 0, 0)
            + int_bytes(1)  # FC_NO_BIAS
            + _MULTIPLIERS
        )
    return string_bytes("relu_" if isinstance(layer, Relu) else "add_prev_")


def network_bytes(net: DlibNetwork) -> bytes:
    """``serialize(net)`` as dlib writes it: versions outside-in, then layers inside-out."""
    out = int_bytes(1) + string_bytes("loss_metric_2")
    out += float_bytes(net.loss.margin) + float_bytes(net.loss.distance_threshold)
    out += b"".join(int_bytes(2 if kind == "L" else 1) for kind in net.wrappers)
    out += string_bytes("input_rgb_image_sized")
    out += b"".join(float_bytes(m) for m in net.input.mean_rgb)
    out += int_bytes(net.input.rows) + int_bytes(net.input.cols)
    trailer = b"1" + b"0" + b"0" + _EMPTY * 3
    return out + b"".join(layer_bytes(layer) + trailer for layer in net.layers)


@dataclass(frozen=True)
class Block:
    """One residual block of a tiny network: ``down`` halves the size with stride 2."""

    channels: int
    down: bool


def random_resnet(
    size: int,
    blocks: list[Block],
    seed: int = 0,
    stem_padding: int = 0,
    pool_padding: int = 0,
    skip_padding: int = 0,
    outputs: int = 5,
) -> DlibNetwork:
    """A dlib ResNet (stem, ``blocks``, head) on ``size`` x ``size`` chips, random weights."""
    rng = np.random.default_rng(seed)

    def conv(inputs: int, outputs: int, kernel: int, stride: int, pad: int) -> list[Layer]:
        scale = 1.0 / math.sqrt(inputs * kernel * kernel)
        filters = rng.normal(0, scale, (outputs, inputs, kernel, kernel)).astype(np.float32)
        biases = rng.normal(0, 0.1, outputs).astype(np.float32)
        gamma = rng.uniform(0.5, 1.5, outputs).astype(np.float32)
        beta = rng.normal(0, 0.1, outputs).astype(np.float32)
        return [
            Conv(filters, biases, (stride, stride), (pad, pad)),
            Affine(gamma, beta, per_channel=True),
        ]

    channels = blocks[0].channels if blocks else 4
    layers: list[Layer] = [*conv(3, channels, 3, 2, stem_padding), Relu()]
    layers.append(Pool(True, (3, 3), (2, 2), (pool_padding, pool_padding)))
    wrappers = "LLLL"
    for block in blocks:
        stride, pad = (2, 0) if block.down else (1, 1)
        layers += [*conv(channels, block.channels, 3, stride, pad), Relu()]
        layers += conv(block.channels, block.channels, 3, 1, 1)
        if block.down:
            layers.append(Pool(False, (2, 2), (2, 2), (skip_padding, skip_padding)))
        layers += [AddPrev(), Relu()]
        wrappers = ("LLLTTLLLLLT" if block.down else "LLLLLLLT") + wrappers
        channels = block.channels
    weights = rng.normal(0, 1, (channels, outputs)).astype(np.float32)
    layers += [Pool(False, (0, 0), (1, 1), (0, 0)), FullyConnected(weights, None)]
    mean = (122.782, 117.001, 104.298)
    mean32 = tuple(float(np.float32(m)) for m in mean)
    net_input = InputRgb((mean32[0], mean32[1], mean32[2]), size, size)
    return DlibNetwork(MetricLoss(0.04, 0.6), net_input, tuple(layers), "LL" + wrappers)
