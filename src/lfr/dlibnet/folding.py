"""Affine layers folded into the convolutions before them, and dlib's output sizes.

In inference an affine layer is y = gamma * x + beta per channel, so ``affine(con(x))`` is one
convolution with weights ``W * gamma`` and biases ``b * gamma + beta`` (folded in float64).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lfr.dlibnet.layers import Affine, Conv, DatFormatError, Floats


@dataclass(frozen=True, slots=True)
class FoldedConv:
    weights: Floats
    """Shape (outputs, inputs, rows, cols)."""
    biases: Floats
    stride: tuple[int, int]
    padding: tuple[int, int]


def fold(conv: Conv, affine: Affine | None, where: str) -> FoldedConv:
    """``affine(conv(x))`` (or ``conv(x)`` alone) as one convolution; ``where`` names the
    layer in the error raised when the affine layer does not fit the convolution."""
    outputs = conv.filters.shape[0]
    bias = np.zeros(outputs) if conv.biases is None else conv.biases.astype(np.float64)
    weights = conv.filters.astype(np.float64)
    if affine is not None:
        if not affine.per_channel or affine.gamma.size != outputs:
            raise DatFormatError(f"{where}: affine does not match its convolution")
        gamma = affine.gamma.astype(np.float64)
        weights = weights * gamma[:, None, None, None]
        bias = bias * gamma + affine.beta.astype(np.float64)
    folded_weights, folded_biases = weights.astype(np.float32), bias.astype(np.float32)
    return FoldedConv(folded_weights, folded_biases, conv.stride, conv.padding)


def conv_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output rows (or columns) of a dlib convolution or pool; ONNX floors the same way."""
    return 1 + (size + 2 * padding - kernel) // stride
