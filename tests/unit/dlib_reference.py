"""dlib's forward pass in numpy (float64), layer by layer as dlib's CPU code computes it:
convolution then a separate affine (the ONNX graph folds them), pools over the in-image part
of each window (``pooling::operator()``), ``add_prev`` into the larger shape with missing
elements 0. The reference that the ONNX graph of a tiny random network is held to."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from lfr.dlibnet.layers import (
    AddPrev,
    Affine,
    Conv,
    DlibNetwork,
    FullyConnected,
    Layer,
    Pool,
    Relu,
)

Array = npt.NDArray[np.float64]


def _conv(x: Array, layer: Conv) -> Array:
    (sy, sx), (py, px) = layer.stride, layer.padding
    _, _, kh, kw = layer.filters.shape
    padded = np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))
    out = np.einsum("nirckl,oikl->norc", windows[:, :, ::sy, ::sx], layer.filters)
    biases = 0.0 if layer.biases is None else layer.biases[None, :, None, None]
    return np.asarray(out + biases, dtype=np.float64)


def _pool(x: Array, pool: Pool) -> Array:
    n, k, rows, cols = x.shape
    wy, wx = pool.window[0] or rows, pool.window[1] or cols
    (sy, sx), (py, px) = pool.stride, pool.padding
    out_rows, out_cols = 1 + (rows + 2 * py - wy) // sy, 1 + (cols + 2 * px - wx) // sx
    out = np.zeros((n, k, out_rows, out_cols))
    for r in range(out_rows):
        for c in range(out_cols):
            top, left = r * sy - py, c * sx - px
            window = x[:, :, max(top, 0) : top + wy, max(left, 0) : left + wx]
            out[:, :, r, c] = window.max(axis=(2, 3)) if pool.is_max else window.mean(axis=(2, 3))
    return out


def _add_prev(a: Array, b: Array) -> Array:
    shape = np.maximum(a.shape, b.shape)
    out = np.zeros(shape)
    out[tuple(slice(0, s) for s in a.shape)] += a
    out[tuple(slice(0, s) for s in b.shape)] += b
    return out


def _apply(x: Array, layer: Layer) -> Array:
    if isinstance(layer, Conv):
        return _conv(x, layer)
    if isinstance(layer, Affine):
        return x * layer.gamma[None, :, None, None] + layer.beta[None, :, None, None]
    if isinstance(layer, Relu):
        return np.maximum(x, 0.0)
    if isinstance(layer, Pool):
        return _pool(x, layer)
    if isinstance(layer, FullyConnected):
        return np.asarray(x.reshape(len(x), -1) @ layer.weights, dtype=np.float64)
    raise AssertionError(layer)


def reference(net: DlibNetwork, chips: npt.NDArray[np.uint8]) -> Array:
    """dlib's forward pass. A block starts with the convolution after the stem's pool or after
    a block's final relu (``tag1``); a pool right before ``add_prev`` is on the skip path."""
    x = (chips.astype(np.float64) - np.array(net.input.mean_rgb)) / 256.0
    x = x.transpose(0, 3, 1, 2)
    layers = list(net.layers)
    block_input = skip = x
    for i, layer in enumerate(layers):
        after_block = (
            i > 1 and isinstance(layers[i - 1], Relu) and isinstance(layers[i - 2], AddPrev)
        )
        if isinstance(layer, Conv) and (isinstance(layers[i - 1], Pool) or after_block):
            block_input = x
        if isinstance(layer, Pool) and isinstance(layers[i + 1], AddPrev):
            skip = _pool(block_input, layer)
        elif isinstance(layer, AddPrev):
            x = _add_prev(x, skip if isinstance(layers[i - 1], Pool) else block_input)
        else:
            x = _apply(x, layer)
    return x


def forward_chain(net: DlibNetwork, tensor: Array) -> Array:
    """dlib's forward pass of a network without tags or skips (the MMOD detector), from the
    input tensor the input layer made."""
    x = tensor
    for layer in net.layers:
        x = _apply(x, layer)
    return x
