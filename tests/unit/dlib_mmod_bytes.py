"""dlib's MMOD detector serialisation written by hand, and tiny detectors with random weights.

Follows dlib's ``serialize`` functions field by field, as ``mmod_human_face_detector.dat``
uses them (``loss_mmod_`` with ``mmod_options`` version 1, ``input_rgb_image_pyramid``,
``con_4``, ``bn_con2``, ``relu_``, the input wrapped by an ``add_layer`` of version 3), and
also the newer forms (``mmod_options`` version 4 with labelled windows,
``input_rgb_image_pyramid2`` with its paddings), so the reader, the plan and the graph can be
tested on detectors of any shape without dlib.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lfr.dlibnet.layers import (
    Affine,
    BoxOverlap,
    Conv,
    DetectorWindow,
    DlibNetwork,
    InputRgbPyramid,
    Layer,
    MmodLoss,
    Relu,
)
from tests.unit.dlib_dat_bytes import (
    alias_bytes,
    float_bytes,
    int_bytes,
    layer_bytes,
    string_bytes,
    tensor_bytes,
)

Floats = npt.NDArray[np.float32]

_EMPTY = tensor_bytes(np.zeros(0, np.float32), (0, 0, 0, 0))
_TRAILER = b"1" + b"0" + b"0" + _EMPTY * 3
_MULTIPLIERS = float_bytes(1.0) + float_bytes(0.0) + float_bytes(1.0) + float_bytes(1.0)


@dataclass(frozen=True)
class BatchNorm:
    """What a ``bn_con2`` layer stores; dlib loads it as an affine layer."""

    gamma: Floats
    beta: Floats
    running_means: Floats
    running_variances: Floats
    eps: float

    def as_affine(self) -> Affine:
        """dlib's ``affine_(const bn_&)``, in float32 as dlib computes it."""
        gamma = self.gamma / np.sqrt(self.running_variances + np.float32(self.eps))
        beta = self.beta - gamma * self.running_means
        return Affine(gamma.astype(np.float32), beta.astype(np.float32), per_channel=True)


@dataclass(frozen=True)
class TinyMmod:
    convs: tuple[Conv, ...]
    norms: tuple[BatchNorm, ...]
    """One per convolution but the last."""
    windows: tuple[DetectorWindow, ...]
    nms: BoxOverlap
    mean_rgb: tuple[float, float, float]
    paddings: tuple[int, int] | None
    """Written with ``input_rgb_image_pyramid2``; None: the old form (dlib's 10 and 11)."""
    options_version: int = 1

    def network(self) -> DlibNetwork:
        """The network the reader should give back."""
        layers: list[Layer] = []
        for conv, norm in zip(self.convs, self.norms, strict=False):
            layers += [conv, norm.as_affine(), Relu()]
        layers.append(self.convs[-1])
        padding, outer = self.paddings or (10, 11)
        pyramid = InputRgbPyramid(self.mean_rgb, padding, outer)
        loss = MmodLoss(self.windows, self.nms, bounding_box_regression=False)
        return DlibNetwork(loss, pyramid, tuple(layers), "L" * len(layers))


def _bn_bytes(norm: BatchNorm) -> bytes:
    k = norm.gamma.size
    stats = tensor_bytes(norm.running_means) + tensor_bytes(norm.running_variances)
    return (
        string_bytes("bn_con2")
        + tensor_bytes(np.concatenate([norm.gamma, norm.beta]))
        + alias_bytes(1, k)
        + alias_bytes(1, k)
        + tensor_bytes(np.zeros(k, np.float32))  # batch means
        + tensor_bytes(np.ones(k, np.float32))  # batch inverse deviations
        + stats
        + int_bytes(12345)  # updates
        + int_bytes(1000)  # running-stats window
        + _MULTIPLIERS
        + float_bytes(norm.eps)
    )


def _options_bytes(net: TinyMmod) -> bytes:
    if net.options_version == 1:
        [window] = net.windows
        out = int_bytes(1) + int_bytes(window.width) + int_bytes(window.height)
    else:
        out = int_bytes(net.options_version) + int_bytes(len(net.windows))
        for w in net.windows:
            out += int_bytes(2) + int_bytes(w.width) + int_bytes(w.height) + string_bytes(w.label)
    out += float_bytes(1.0) + float_bytes(1.0) + float_bytes(0.5)  # training-only losses
    out += float_bytes(net.nms.iou) + float_bytes(net.nms.covered)
    out += float_bytes(0.5) + float_bytes(0.95)  # overlaps_ignore
    if net.options_version >= 3:
        out += bytes([1])  # assume an image pyramid: one raw byte
    if net.options_version >= 4:
        out += b"0" + float_bytes(100.0)  # no box regression; its lambda
    return out


def _input_bytes(net: TinyMmod) -> bytes:
    means = b"".join(float_bytes(m) for m in net.mean_rgb)
    if net.paddings is None:
        return string_bytes("input_rgb_image_pyramid") + means
    padding, outer = net.paddings
    return string_bytes("input_rgb_image_pyramid2") + means + int_bytes(padding) + int_bytes(outer)


def mmod_bytes(net: TinyMmod) -> bytes:
    """``serialize(net)``: the loss, wrapper versions outside-in, then layers inside-out."""
    layers = net.network().layers
    out = int_bytes(1) + string_bytes("loss_mmod_") + _options_bytes(net)
    out += int_bytes(2) * (len(layers) - 1) + int_bytes(3)  # the input's wrapper: version 3
    out += _input_bytes(net)
    norms = iter(net.norms)
    for index, layer in enumerate(layers):
        body = _bn_bytes(next(norms)) if isinstance(layer, Affine) else layer_bytes(layer)
        out += body + _TRAILER
        if index == 0:
            out += int_bytes(1)  # the input wrapper's sample expansion factor
    return out


def random_mmod(
    channels: tuple[int, ...] = (4, 6),
    windows: tuple[DetectorWindow, ...] = (DetectorWindow(12, 12, ""),),
    seed: int = 0,
    paddings: tuple[int, int] | None = None,
    options_version: int = 1,
) -> TinyMmod:
    """A stride-2 5x5 convolution, then stride-1 3x3 ones, then a 5x5 one per window."""
    rng = np.random.default_rng(seed)

    def conv(inputs: int, outputs: int, kernel: int, stride: int) -> Conv:
        scale = 1.0 / math.sqrt(inputs * kernel * kernel)
        filters = rng.normal(0, scale, (outputs, inputs, kernel, kernel)).astype(np.float32)
        biases = rng.normal(0, 0.1, outputs).astype(np.float32)
        padding = 0 if stride > 1 else kernel // 2
        return Conv(filters, biases, (stride, stride), (padding, padding))

    def norm(k: int) -> BatchNorm:
        return BatchNorm(
            rng.uniform(0.5, 1.5, k).astype(np.float32),
            rng.normal(0, 0.1, k).astype(np.float32),
            rng.normal(0, 0.2, k).astype(np.float32),
            rng.uniform(0.01, 0.5, k).astype(np.float32),
            1e-5,
        )

    convs = [conv(3, channels[0], 5, 2)]
    convs += [conv(a, b, 3, 1) for a, b in itertools.pairwise(channels)]
    convs.append(conv(channels[-1], len(windows), 5, 1))
    mean = tuple(float(np.float32(m)) for m in (122.782, 117.001, 104.298))
    return TinyMmod(
        tuple(convs),
        tuple(norm(c) for c in channels),
        windows,
        BoxOverlap(0.3382761351109955, 1.0),
        (mean[0], mean[1], mean[2]),
        paddings,
        options_version,
    )
