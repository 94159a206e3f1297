"""A small builder of ONNX graphs from dlib's layers, with the ``onnx`` package imported
only when a graph is built (converting is optional; the error names the package)."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

from lfr.dlibnet.folding import FoldedConv
from lfr.errors import ModelNotInstalledError

__all__ = ["IR_VERSION", "OPSET", "GraphBuilder", "onnx", "require_onnx"]

OPSET = 17
IR_VERSION = 8  # readable by onnxruntime >= 1.14

try:
    import onnx
    from onnx import helper, numpy_helper
except ImportError:  # the conversion is optional; require_onnx names the package when used
    onnx = None  # type: ignore[assignment]


def require_onnx(what: str) -> None:
    if onnx is None:
        raise ModelNotInstalledError(
            f"converting {what} to ONNX needs the onnx package; pip install 'onnx>=1.15'"
        )


class GraphBuilder:
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

    def add(self, op: str, inputs: list[str], output: str | None = None, **attributes: Any) -> str:
        """A node; its output gets a unique name unless ``output`` names it (a graph output)."""
        output = output or self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def conv(self, x: str, conv: FoldedConv, output: str | None = None) -> str:
        """A ``Conv`` node with the folded weights and biases as initialisers."""
        _, _, rows, cols = conv.weights.shape
        (sy, sx), (py, px) = conv.stride, conv.padding
        weights = self.constant("weights", conv.weights)
        biases = self.constant("biases", conv.biases)
        return self.add(
            "Conv",
            [x, weights, biases],
            output,
            kernel_shape=[rows, cols],
            strides=[sy, sx],
            pads=[py, px, py, px],
        )

    def model(
        self,
        name: str,
        inputs: list[onnx.ValueInfoProto],
        outputs: list[onnx.ValueInfoProto],
        doc: str,
    ) -> onnx.ModelProto:
        """The model of the nodes so far, checked by ``onnx.checker``."""
        body = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        model = helper.make_model(
            body,
            opset_imports=[helper.make_opsetid("", OPSET)],
            ir_version=IR_VERSION,
            producer_name="openlfr",
            doc_string=doc,
        )
        onnx.checker.check_model(model)
        return model
