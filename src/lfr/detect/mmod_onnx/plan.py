"""Recognise dlib's MMOD face detector in a read network and fold its affine layers.

dlib's ``dnn_mmod_face_detection_ex.cpp`` (and ``cnn_face_detection_model_v1``) define::

    loss_mmod<con<1,9,9,1,1, rcon5<rcon5<rcon5<downsampler<
        input_rgb_image_pyramid<pyramid_down<6>>>>>>>>
    downsampler = relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, .>>>>>>>>>
    rcon5       = relu<affine<con5<45, .>>>

so, from the input, the file holds blocks of (con, affine, relu) and then one convolution
with an output channel per detector window. Any number of blocks, channels, kernels,
strides and paddings is accepted; there are no tags or skips. The pyramid's rate is a
template argument, not in the file: it is :data:`PYRAMID_DOWN`.

An output position maps back to the input tensor as dlib's ``output_tensor_to_input_tensor``
maps it, through each convolution from the last: ``p * stride - padding + kernel // 2``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lfr.dlibnet.folding import FoldedConv, fold
from lfr.dlibnet.layers import (
    Affine,
    BoxOverlap,
    Conv,
    DatFormatError,
    DetectorWindow,
    DlibNetwork,
    InputRgbPyramid,
    MmodLoss,
    Relu,
)

PYRAMID_DOWN = 6
"""``pyramid_down<6>``: each pyramid level is 5/6 the size of the one before."""


@dataclass(frozen=True, slots=True)
class AxisMap:
    """Input tensor coordinate = ``scale`` * output coordinate + ``offset``, on one axis."""

    scale: int
    offset: int


@dataclass(frozen=True, slots=True)
class MmodPlan:
    mean_rgb: tuple[float, float, float]
    padding: int
    """Zeros between pyramid levels in the tiled input."""
    outer_padding: int
    """Zeros around the tiled input."""
    convs: tuple[FoldedConv, ...]
    """Each followed by a relu, except the last, whose channels are the detector windows."""
    windows: tuple[DetectorWindow, ...]
    overlaps_nms: BoxOverlap
    columns: AxisMap
    rows: AxisMap


def plan_mmod(net: DlibNetwork) -> MmodPlan:
    """The network as folded convolutions, or DatFormatError naming the first mismatch."""
    if not isinstance(net.loss, MmodLoss) or not isinstance(net.input, InputRgbPyramid):
        raise DatFormatError("not dlib's MMOD detector (expected loss_mmod on an image pyramid)")
    if net.loss.bounding_box_regression:
        raise DatFormatError("MMOD detectors with bounding box regression are not supported")
    if "T" in net.wrappers:
        raise DatFormatError("the MMOD detector has no tag or skip layers")
    convs = _convolutions(net)
    if convs[-1].weights.shape[0] != len(net.loss.windows):
        raise DatFormatError(
            f"the last convolution has {convs[-1].weights.shape[0]} channels for "
            f"{len(net.loss.windows)} detector windows"
        )
    pyramid = net.input
    return MmodPlan(
        pyramid.mean_rgb,
        pyramid.padding,
        pyramid.outer_padding,
        convs,
        net.loss.windows,
        net.loss.overlaps_nms,
        _axis_map(convs, axis=1),
        _axis_map(convs, axis=0),
    )


def _convolutions(net: DlibNetwork) -> tuple[FoldedConv, ...]:
    layers = net.layers
    convs: list[FoldedConv] = []
    index = 0
    while index + 3 < len(layers):
        conv, affine, relu = layers[index : index + 3]
        if not (isinstance(conv, Conv) and isinstance(affine, Affine) and isinstance(relu, Relu)):
            raise DatFormatError(
                f"layers {index}-{index + 2}: expected con, affine, relu (not dlib's MMOD detector)"
            )
        convs.append(fold(conv, affine, f"layer {index + 1}"))
        index += 3
    if index != len(layers) - 1 or not isinstance(layers[index], Conv):
        raise DatFormatError("expected the MMOD detector to end in one convolution")
    last = layers[index]
    assert isinstance(last, Conv)  # checked above; for the type checker
    convs.append(fold(last, None, f"layer {index}"))
    return tuple(convs)


def _axis_map(convs: tuple[FoldedConv, ...], axis: int) -> AxisMap:
    scale, offset = 1, 0
    for conv in reversed(convs):
        stride, padding = conv.stride[axis], conv.padding[axis]
        kernel = conv.weights.shape[2 + axis]
        # p_in = p_out * stride - padding + kernel // 2, composed from the output inwards.
        scale, offset = scale * stride, offset * stride - padding + kernel // 2
    return AxisMap(scale, offset)
