"""Recognise dlib's face-descriptor ResNet in a read network and fold its affine layers.

dlib's ``dnn_face_recognition_ex.cpp`` defines (outermost first)::

    loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<...<alevel4<
        max_pool<3,3,2,2, relu<affine<con<32,7,7,2,2, input_rgb_image_sized<150>>>>>>>>>>>
    ares<N>      = relu<add_prev1<affine<con<N,3,3,1,1, relu<affine<con<N,3,3,1,1, tag1<.>>>>>>>>
    ares_down<N> = relu<add_prev2<avg_pool<2,2,2,2, skip1<tag2<
                       affine<con<N,3,3,1,1, relu<affine<con<N,3,3,2,2, tag1<.>>>>>>>>>>>

so, from the input, the file holds a stem (con, affine, relu, max_pool), residual blocks
(con, affine, relu, con, affine, [avg_pool], add_prev, relu) and a head (avg_pool over
everything, fc). Any number of blocks, channels, strides and paddings is accepted; the
tags and skips the file records must sit exactly where these blocks put them.

Each affine layer is folded into the convolution before it (:mod:`lfr.dlibnet.folding`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from lfr.dlibnet.folding import FoldedConv, conv_size, fold
from lfr.dlibnet.layers import (
    AddPrev,
    Affine,
    Conv,
    DatFormatError,
    DlibNetwork,
    Floats,
    FullyConnected,
    InputRgb,
    Layer,
    MetricLoss,
    Pool,
    Relu,
)

_L = TypeVar("_L", bound=Layer)
_STEM_WRAPPERS = "LLLL"
_HEAD_WRAPPERS = "LL"
_BLOCK_WRAPPERS = "LLLLLLLT"
_DOWN_BLOCK_WRAPPERS = "LLLTTLLLLLT"


@dataclass(frozen=True, slots=True)
class Residual:
    """relu(second(relu(first(x))) + skip(x)), the smaller operand zero-padded at the end
    (channels, bottom rows, right columns) to the larger, as dlib's ``add_prev`` does."""

    first: FoldedConv
    second: FoldedConv
    skip_pool: Pool | None
    """The average pool on the skip path of a down-sampling block; None: the identity."""


@dataclass(frozen=True, slots=True)
class ResnetPlan:
    mean_rgb: tuple[float, float, float]
    chip_size: tuple[int, int]
    """Rows, columns of the RGB chip the network takes."""
    stem: FoldedConv
    stem_pool: Pool
    blocks: tuple[Residual, ...]
    head_pool: Pool
    projection: Floats
    """Shape (inputs, outputs): descriptor = flatten(head_pool(x)) @ projection."""


class _Cursor:
    def __init__(self, layers: tuple[Layer, ...]) -> None:
        self._layers = layers
        self.index = 0

    def peek(self) -> Layer | None:
        return self._layers[self.index] if self.index < len(self._layers) else None

    def take(self, kind: type[_L]) -> _L:
        layer = self.peek()
        if not isinstance(layer, kind):
            found = type(layer).__name__ if layer is not None else "the end"
            raise DatFormatError(
                f"layer {self.index}: expected {kind.__name__}, found {found} "
                "(not dlib's face-descriptor ResNet)"
            )
        self.index += 1
        return layer


def plan_resnet(net: DlibNetwork) -> ResnetPlan:
    """The network as stem, blocks and head, or DatFormatError naming the first mismatch."""
    if not isinstance(net.loss, MetricLoss) or not isinstance(net.input, InputRgb):
        raise DatFormatError("not dlib's face-descriptor ResNet (expected loss_metric)")
    cursor = _Cursor(net.layers)
    stem = _folded(cursor)
    cursor.take(Relu)
    stem_pool = cursor.take(Pool)
    if not stem_pool.is_max:
        raise DatFormatError("the stem must end in a max pool")
    blocks: list[Residual] = []
    while isinstance(cursor.peek(), Conv):
        blocks.append(_residual(cursor))
    head_pool = cursor.take(Pool)
    fc = cursor.take(FullyConnected)
    if cursor.peek() is not None or fc.biases is not None:
        raise DatFormatError("expected the network to end in a fully connected layer, no bias")
    wanted = _HEAD_WRAPPERS + "".join(_wrappers(b) for b in reversed(blocks)) + _STEM_WRAPPERS
    if net.wrappers != wanted:
        raise DatFormatError("tag and skip layers are not where dlib's ResNet blocks put them")
    rows, cols = net.input.rows, net.input.cols
    return ResnetPlan(
        net.input.mean_rgb, (rows, cols), stem, stem_pool, tuple(blocks), head_pool, fc.weights
    )


def _wrappers(block: Residual) -> str:
    return _BLOCK_WRAPPERS if block.skip_pool is None else _DOWN_BLOCK_WRAPPERS


def _residual(cursor: _Cursor) -> Residual:
    first = _folded(cursor)
    cursor.take(Relu)
    second = _folded(cursor)
    skip_pool = cursor.take(Pool) if isinstance(cursor.peek(), Pool) else None
    if skip_pool is not None and skip_pool.is_max:
        raise DatFormatError("a residual skip path must use an average pool")
    cursor.take(AddPrev)
    cursor.take(Relu)
    return Residual(first, second, skip_pool)


def _folded(cursor: _Cursor) -> FoldedConv:
    conv = cursor.take(Conv)
    affine = cursor.take(Affine)
    return fold(conv, affine, f"layer {cursor.index - 1}")


def pool_size(size: int, pool: Pool, axis: int) -> int:
    window = pool.window[axis] or size  # 0: the whole input
    return conv_size(size, window, pool.stride[axis], pool.padding[axis])
