"""Write an :class:`MmodPlan`'s network as an ONNX graph: a tiled pyramid in, scores out.

Input ``pyramid``: float32, shape (N, 3, rows, cols), the tensor dlib's
``input_rgb_image_pyramid`` makes ((pixel - mean) / 256 with zeros between the levels; see
:mod:`.pyramid`), any size. Output ``scores``: float32, shape (N, windows, rows', cols'), one
channel per detector window. The network is fully convolutional, so one graph serves every
frame size.
"""

from __future__ import annotations

from lfr.detect.mmod_onnx.plan import MmodPlan
from lfr.dlibnet.onnx_graph import GraphBuilder, onnx, require_onnx

INPUT_NAME = "pyramid"
OUTPUT_NAME = "scores"


def build_model(plan: MmodPlan) -> onnx.ModelProto:
    """The ONNX model of ``plan``, checked by ``onnx.checker``."""
    require_onnx("dlib's MMOD face detector")
    graph = GraphBuilder()
    x = INPUT_NAME
    for conv in plan.convs[:-1]:
        x = graph.add("Relu", [graph.conv(x, conv)])
    graph.conv(x, plan.convs[-1], output=OUTPUT_NAME)
    value_info, types = onnx.helper.make_tensor_value_info, onnx.TensorProto
    windows = len(plan.windows)
    return graph.model(
        "dlib_mmod_human_face_detector",
        [value_info(INPUT_NAME, types.FLOAT, ["N", 3, "rows", "cols"])],
        [value_info(OUTPUT_NAME, types.FLOAT, ["N", windows, "out_rows", "out_cols"])],
        "dlib's MMOD CNN face detector (score map), converted from its .dat by lfr",
    )
