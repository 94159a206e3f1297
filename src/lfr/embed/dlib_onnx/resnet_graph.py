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
import numpy.typing as npt

from lfr.embed.dlib_onnx.dlib_layers import Pool
from lfr.embed.dlib_onnx.resnet_plan import FoldedConv, ResnetPlan, conv_size, pool_size
from lfr.errors import ModelNotInstalledError

INPUT_NAME = "chips"
OUTPUT_NAME = "descriptors"
OPSET = 17
_IR_VERSION = 8  # readable by onnxruntime >= 1.14

try:
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # the conversion is optional; the error names the package when used
    onnx = None  # type: ignore[assignment]

Shape = tuple[int, int, int]
"""Channels, rows, columns of one sample."""


class _Graph:
    """Collects nodes and initialisers with unique names."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def constant(self, stem: str, value: npt.NDArray[Any]) -> str:
        name = self.name(stem)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def add(self, op: str, inputs: list[str], **attributes: Any) -> str:
        output = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output


def build_model(plan: ResnetPlan) -> onnx.ModelProto:
    """The ONNX model of ``plan``, checked by ``onnx.checker``."""
    if onnx is None:
        raise ModelNotInstalledError(
            "converting dlib's ResNet to ONNX needs the onnx package; pip install 'onnx>=1.15'"
        )
    graph = _Graph()
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
    graph.nodes.append(helper.make_node("MatMul", [x, weights], [OUTPUT_NAME], name="project"))
    return _model(graph, plan)


def _input(graph: _Graph, plan: ResnetPlan) -> str:
    x = graph.add("Cast", [INPUT_NAME], to=TensorProto.FLOAT)
    mean = graph.constant("mean_rgb", np.array(plan.mean_rgb, dtype=np.float32))
    x = graph.add("Sub", [x, mean])
    x = graph.add("Div", [x, graph.constant("scale", np.array(256.0, dtype=np.float32))])
    return graph.add("Transpose", [x], perm=[0, 3, 1, 2])


def _conv(graph: _Graph, x: str, shape: Shape, conv: FoldedConv) -> tuple[str, Shape]:
    outputs, _, rows, cols = conv.weights.shape
    (sy, sx), (py, px) = conv.stride, conv.padding
    weights = graph.constant("weights", conv.weights)
    biases = graph.constant("biases", conv.biases)
    y = graph.add(
        "Conv",
        [x, weights, biases],
        kernel_shape=[rows, cols],
        strides=[sy, sx],
        pads=[py, px, py, px],
    )
    size = (outputs, conv_size(shape[1], rows, sy, py), conv_size(shape[2], cols, sx, px))
    return y, size


def _pool(graph: _Graph, x: str, shape: Shape, pool: Pool) -> tuple[str, Shape]:
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
    graph: _Graph,
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


def _pad_to(graph: _Graph, x: str, shape: Shape, target: Shape) -> str:
    """Zeros after the last channel, below the last row and right of the last column."""
    if shape == target:
        return x
    after = [t - s for s, t in zip(shape, target, strict=True)]
    pads = graph.constant("pads", np.array([0, 0, 0, 0, 0, *after], dtype=np.int64))
    return graph.add("Pad", [x, pads], mode="constant")


def _model(graph: _Graph, plan: ResnetPlan) -> onnx.ModelProto:
    rows, cols = plan.chip_size
    outputs = plan.projection.shape[1]
    inputs = [helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8, ["N", rows, cols, 3])]
    result = [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", outputs])]
    body = helper.make_graph(
        graph.nodes, "dlib_face_recognition_resnet", inputs, result, graph.initializers
    )
    model = helper.make_model(
        body,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=_IR_VERSION,
        producer_name="openlfr",
        doc_string="dlib's face-descriptor ResNet, converted from its .dat by lfr",
    )
    onnx.checker.check_model(model)
    return model
