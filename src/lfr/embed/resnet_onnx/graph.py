"""Write a :class:`ResnetPlan` as an ONNX graph: uint8 RGB chips in, descriptors out.

Input ``chips``: uint8, shape (N, rows, cols, 3), RGB, the layout the aligner makes, so the
embedder only stacks chips. The graph casts, subtracts the stored channel means and divides by
256 (exactly: a power of two) as dlib's ``input_rgb_image`` does, then goes to NCHW.
Output ``descriptors``: float32, shape (N, outputs), not normalised (as dlib's).

Every spatial size is known from the chip size, so the zero padding that dlib's ``add_prev``
applies to the smaller operand of a residual sum is written as constant ``Pad`` nodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lfr.dlibnet.folding import FoldedConv, conv_size
from lfr.dlibnet.layers import Pool
from lfr.dlibnet.onnx_graph import GraphBuilder, onnx, require_onnx
from lfr.embed.resnet_onnx.plan import ResnetPlan, pool_size

INPUT_NAME = "chips"
OUTPUT_NAME = "descriptors"

Shape = tuple[int, int, int]
"""Channels, rows, columns of one sample."""


def build_model(plan: ResnetPlan) -> onnx.ModelProto:
    """The ONNX model of ``plan``, checked by ``onnx.checker``."""
    require_onnx("dlib's ResNet")
    graph = GraphBuilder()
    x = _input(graph, plan)
    shape: Shape = (3, *plan.chip_size)
    x, shape = _conv(graph, x, shape, plan.stem)
    x = graph.add("Relu", [x])
    x, shape = _pool(graph, x, shape, plan.stem_pool)
    for block in plan.blocks:
        x, shape = _residual(graph, x, shape, block.first, block.second, block.skip_pool)
    x, shape = _pool(graph, x, shape, plan.head_pool)
    x = graph.add("Flatten", [x], axis=1)
    weights = graph.constant("projection", plan.projection.astype(np.float32))
    graph.add("MatMul", [x, weights], OUTPUT_NAME)
    return _model(graph, plan)


def _input(graph: GraphBuilder, plan: ResnetPlan) -> str:
    x = graph.add("Cast", [INPUT_NAME], to=onnx.TensorProto.FLOAT)
    mean = graph.constant("mean_rgb", np.array(plan.mean_rgb, dtype=np.float32))
    x = graph.add("Sub", [x, mean])
    x = graph.add("Div", [x, graph.constant("scale", np.array(256.0, dtype=np.float32))])
    return graph.add("Transpose", [x], perm=[0, 3, 1, 2])


def _conv(graph: GraphBuilder, x: str, shape: Shape, conv: FoldedConv) -> tuple[str, Shape]:
    outputs, _, rows, cols = conv.weights.shape
    (sy, sx), (py, px) = conv.stride, conv.padding
    y = graph.conv(x, conv)
    size = (outputs, conv_size(shape[1], rows, sy, py), conv_size(shape[2], cols, sx, px))
    return y, size


def _pool(graph: GraphBuilder, x: str, shape: Shape, pool: Pool) -> tuple[str, Shape]:
    size = (shape[0], pool_size(shape[1], pool, 0), pool_size(shape[2], pool, 1))
    if pool.window == (0, 0) and not pool.is_max:
        return graph.add("GlobalAveragePool", [x]), size
    (py, px) = pool.padding
    window = [pool.window[0] or shape[1], pool.window[1] or shape[2]]
    attributes: dict[str, Any] = {
        "kernel_shape": window,
        "strides": list(pool.stride),
        "pads": [py, px, py, px],
    }
    if not pool.is_max:
        attributes["count_include_pad"] = 0  # dlib averages the in-image values only
    return graph.add("MaxPool" if pool.is_max else "AveragePool", [x], **attributes), size


def _residual(
    graph: GraphBuilder,
    x: str,
    shape: Shape,
    first: FoldedConv,
    second: FoldedConv,
    skip_pool: Pool | None,
) -> tuple[str, Shape]:
    y, y_shape = _conv(graph, x, shape, first)
    y = graph.add("Relu", [y])
    y, y_shape = _conv(graph, y, y_shape, second)
    skip, skip_shape = (x, shape) if skip_pool is None else _pool(graph, x, shape, skip_pool)
    out_shape: Shape = (
        max(y_shape[0], skip_shape[0]),
        max(y_shape[1], skip_shape[1]),
        max(y_shape[2], skip_shape[2]),
    )
    total = graph.add(
        "Add", [_pad_to(graph, y, y_shape, out_shape), _pad_to(graph, skip, skip_shape, out_shape)]
    )
    return graph.add("Relu", [total]), out_shape


def _pad_to(graph: GraphBuilder, x: str, shape: Shape, target: Shape) -> str:
    """Zeros after the last channel, below the last row and right of the last column."""
    if shape == target:
        return x
    after = [t - s for s, t in zip(shape, target, strict=True)]
    pads = graph.constant("pads", np.array([0, 0, 0, 0, 0, *after], dtype=np.int64))
    return graph.add("Pad", [x, pads], mode="constant")


def _model(graph: GraphBuilder, plan: ResnetPlan) -> onnx.ModelProto:
    rows, cols = plan.chip_size
    outputs = plan.projection.shape[1]
    value_info, types = onnx.helper.make_tensor_value_info, onnx.TensorProto
    inputs = [value_info(INPUT_NAME, types.UINT8, ["N", rows, cols, 3])]
    result = [value_info(OUTPUT_NAME, types.FLOAT, ["N", outputs])]
    return graph.model(
        "dlib_face_recognition_resnet",
        inputs,
        result,
        "dlib's face-descriptor ResNet, converted from its .dat by lfr",
    )
