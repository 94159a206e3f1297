"""Read a dlib DNN ``.dat`` file (``dlib::serialize(net)``) into frozen dataclasses.

The byte format, from dlib's ``serialize.h``, ``dnn/core.h``, ``dnn/layers.h``,
``dnn/input.h``, ``dnn/loss.h`` and ``cuda/tensor.h``:

- an integer is a control byte (low 4 bits: how many bytes follow; 0x80: negative) and then
  its magnitude, little-endian;
- a float or double is two integers, mantissa then exponent (value = mantissa * 2**exponent);
- a bool is the ASCII byte ``'1'`` or ``'0'``; an ``unsigned char`` is one raw byte; a string
  is its length and then its bytes;
- a tensor is version 2, then samples, k, rows, cols, then raw little-endian float32 values;
  an alias tensor (a view into a layer's parameters) is version 1 and the same four sizes.

A network is written outside-in but layer by layer inside-out: ``add_loss_layer`` writes its
version and the loss, and each ``add_layer`` writes its version, *then its sub-network*, then
its own layer and a trailer (bools and scratch tensors). Tag and skip layers write only their
version (1) and their sub-network, so their ids are not in the file: :class:`DlibNetwork`
keeps where they were (``wrappers``) so that the architecture can be checked against it.

Two networks are read: the face-descriptor ResNet (``loss_metric``, ``input_rgb_image_sized``)
and the MMOD face detector (``loss_mmod``, ``input_rgb_image_pyramid``, whose ``bn_con``
layers dlib turns into affine layers as it loads them, and so does this reader).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from lfr.dlibnet.layers import (
    AddPrev,
    Affine,
    BoxOverlap,
    Conv,
    DatFormatError,
    DetectorWindow,
    DlibNetwork,
    Floats,
    FullyConnected,
    Input,
    InputRgb,
    InputRgbPyramid,
    Layer,
    Loss,
    MetricLoss,
    MmodLoss,
    Pool,
    Relu,
)

_PYRAMID_INPUTS = ("input_rgb_image_pyramid", "input_rgb_image_pyramid2")
_INPUT_NAMES = ("input_rgb_image_sized", *_PYRAMID_INPUTS)
_ADD_LAYER_VERSIONS = (2,)  # dlib >= 19.0; an older add_layer (version 1) lacks params_grad
_INPUT_ADD_LAYER_VERSIONS = (2, 3)  # version 3 adds the sample expansion factor


class DlibStream:
    """A cursor over dlib-serialised bytes."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.pos = 0

    def _take(self, count: int) -> bytes:
        end = self.pos + count
        if end > len(self._data):
            raise DatFormatError(f"file ends at byte {len(self._data)}, wanted {end}")
        chunk = self._data[self.pos : end]
        self.pos = end
        return chunk

    def at_end(self) -> bool:
        return self.pos == len(self._data)

    def read_int(self) -> int:
        control = self._take(1)[0]
        size = control & 0x0F
        if size == 0 or size > 8 or control & 0x70:
            raise DatFormatError(f"bad integer control byte {control:#04x} at {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if control & 0x80 else value

    def read_float(self) -> float:
        # The pre-2016 ASCII float format is not read: its first byte has bits in 0x70.
        mantissa = self.read_int()
        return math.ldexp(mantissa, self.read_int())

    def read_bool(self) -> bool:
        byte = self._take(1)
        if byte not in (b"0", b"1"):
            raise DatFormatError(f"bad bool {byte!r} at {self.pos - 1}")
        return byte == b"1"

    def read_byte(self) -> int:
        return self._take(1)[0]

    def read_string(self) -> str:
        return self._take(self.read_int()).decode("latin-1")

    def peek_string(self) -> str | None:
        """The string starting here, or None when the bytes here are not a short string."""
        start = self.pos
        if self.at_end() or self._data[start] not in (1, 2):
            return None
        try:
            return self.read_string()
        except DatFormatError:
            return None
        finally:
            self.pos = start

    def read_tensor(self) -> Floats:
        self.expect_int(2, "tensor version")
        shape = tuple(self.read_int() for _ in range(4))
        count = math.prod(shape)
        raw = np.frombuffer(self._take(4 * count), dtype="<f4")
        return raw.astype(np.float32).reshape(shape)

    def read_alias(self) -> tuple[int, int, int, int]:
        self.expect_int(1, "alias tensor version")
        n, k, rows, cols = (self.read_int() for _ in range(4))
        return n, k, rows, cols

    def expect_int(self, wanted: int, what: str) -> None:
        start = self.pos
        if (found := self.read_int()) != wanted:
            raise DatFormatError(f"{what}: expected {wanted}, found {found} at byte {start}")


def read_network(source: Path | bytes) -> DlibNetwork:
    """Parse a whole ``.dat`` file (a path or its bytes); anything left over is an error."""
    stream = DlibStream(source if isinstance(source, bytes) else Path(source).read_bytes())
    stream.expect_int(1, "add_loss_layer version")
    loss = _read_loss(stream)
    versions: list[int] = []
    while stream.peek_string() not in _INPUT_NAMES:
        versions.append(stream.read_int())
        if len(versions) > 10_000:
            raise DatFormatError("no input layer found")
    if not versions or versions[-1] not in _INPUT_ADD_LAYER_VERSIONS:
        raise DatFormatError("the input layer must be wrapped by a computational layer")
    wrappers = "".join(_wrapper_kind(v) for v in versions[:-1]) + "L"
    net_input = _read_input(stream)
    layers = [_read_layer(stream)]
    _read_input_trailer(stream, versions[-1])
    for _ in range(wrappers.count("L") - 1):
        layers.append(_read_layer(stream))
        _read_trailer(stream)
    if not stream.at_end():
        raise DatFormatError(f"{stream.pos} bytes read but the file is longer")
    return DlibNetwork(loss, net_input, tuple(layers), wrappers)


def _wrapper_kind(version: int) -> str:
    if version in _ADD_LAYER_VERSIONS:
        return "L"
    if version == 1:
        return "T"
    raise DatFormatError(f"unknown layer wrapper version {version}")


def _read_loss(stream: DlibStream) -> Loss:
    name = stream.read_string()
    if name == "loss_metric_":
        return MetricLoss(0.1, 0.75)  # the values dlib hard-coded for this version
    if name == "loss_metric_2":
        return MetricLoss(stream.read_float(), stream.read_float())
    if name == "loss_mmod_":
        return _read_mmod_options(stream)
    raise DatFormatError(f"unsupported loss layer {name!r} (expected loss_metric or loss_mmod)")


def _read_mmod_options(stream: DlibStream) -> MmodLoss:
    """``mmod_options``, versions 1 to 4 (``loss.h``)."""
    version = stream.read_int()
    if not 1 <= version <= 4:
        raise DatFormatError(f"unsupported mmod_options version {version}")
    if version == 1:
        windows: tuple[DetectorWindow, ...] = (
            DetectorWindow(stream.read_int(), stream.read_int(), ""),
        )
    else:
        windows = tuple(_read_window(stream) for _ in range(stream.read_int()))
    for _ in range(3):  # losses per false alarm and per miss, truth-match IoU: training only
        stream.read_float()
    overlaps_nms = BoxOverlap(stream.read_float(), stream.read_float())
    stream.read_float(), stream.read_float()  # overlaps_ignore: training only
    if version >= 3 and stream.read_byte() != 1:
        raise DatFormatError("MMOD detectors that assume no image pyramid are not supported")
    regression = False
    if version >= 4:
        regression = stream.read_bool()
        stream.read_float()  # bbr_lambda: training only
    return MmodLoss(windows, overlaps_nms, regression)


def _read_window(stream: DlibStream) -> DetectorWindow:
    version = stream.read_int()
    if version not in (1, 2):
        raise DatFormatError(f"unsupported detector window version {version}")
    width, height = stream.read_int(), stream.read_int()
    return DetectorWindow(width, height, stream.read_string() if version == 2 else "")


def _read_input(stream: DlibStream) -> Input:
    name = stream.read_string()
    mean = (stream.read_float(), stream.read_float(), stream.read_float())
    if name == "input_rgb_image_pyramid":
        return InputRgbPyramid(mean, 10, 11)  # dlib's defaults before they were written
    if name == "input_rgb_image_pyramid2":
        return InputRgbPyramid(mean, stream.read_int(), stream.read_int())
    return InputRgb(mean, stream.read_int(), stream.read_int())


def _read_trailer(stream: DlibStream) -> None:
    """setup-called, gradient-stale and disabled flags, then x_grad, output and params_grad."""
    for _ in range(3):
        stream.read_bool()
    for _ in range(3):
        stream.read_tensor()


def _read_input_trailer(stream: DlibStream, version: int) -> None:
    """The same flags, then x_grad, output, grad_final and (version 3) the expansion factor."""
    _read_trailer(stream)
    if version >= 3:
        stream.read_int()


def _read_layer(stream: DlibStream) -> Layer:
    name = stream.read_string()
    reader = _LAYER_READERS.get(name)
    if reader is None:
        raise DatFormatError(f"unsupported layer {name!r} at byte {stream.pos}")
    return reader(stream, name)


def _read_conv(stream: DlibStream, name: str) -> Conv:
    params = stream.read_tensor().reshape(-1)
    stream.read_int()  # number of filters, also in the filter alias below
    stream.read_int(), stream.read_int()  # rows, cols: likewise
    stride = (stream.read_int(), stream.read_int())
    padding = (stream.read_int(), stream.read_int())
    shape = stream.read_alias()
    bias_shape = stream.read_alias()
    for _ in range(4):  # learning-rate and weight-decay multipliers
        stream.read_float()
    use_bias = stream.read_bool() if name in ("con_5", "con_6") else True
    if name == "con_6" and stream.read_bool():
        raise DatFormatError("convolutions with a fused relu are not supported")
    count = math.prod(shape)
    filters = params[:count].reshape(shape)
    has_bias = use_bias and math.prod(bias_shape) > 0
    biases = params[count : count + shape[0]] if has_bias else None
    return Conv(filters, biases, stride, padding)


def _read_affine(stream: DlibStream, name: str) -> Affine:
    params = stream.read_tensor().reshape(-1)
    gamma_shape = stream.read_alias()
    stream.read_alias()  # beta: the same shape
    per_channel = stream.read_int() == 0  # CONV_MODE
    if name == "affine_2" and stream.read_bool():
        raise DatFormatError("disabled affine layers are not supported")
    size = math.prod(gamma_shape)
    return Affine(params[:size].copy(), params[size : 2 * size].copy(), per_channel)


def _read_batch_norm(stream: DlibStream, name: str) -> Affine:
    """``bn_con2`` as the affine layer dlib makes of it when it loads the network:
    gamma / sqrt(running variance + eps) and beta - that * running mean, in float32."""
    params = stream.read_tensor().reshape(-1)
    gamma_shape = stream.read_alias()
    stream.read_alias()  # beta: the same shape
    for _ in range(2):  # means and inverse deviations of the last training batch
        stream.read_tensor()
    running_means = stream.read_tensor().reshape(-1)
    running_variances = stream.read_tensor().reshape(-1)
    stream.read_int(), stream.read_int()  # updates so far and the running-stats window
    for _ in range(4):  # learning-rate and weight-decay multipliers
        stream.read_float()
    eps = np.float32(stream.read_float())
    size = math.prod(gamma_shape)
    if running_means.size != size or running_variances.size != size:
        raise DatFormatError(f"{name}: running statistics do not match its {size} channels")
    gamma = params[:size] / np.sqrt(running_variances + eps)
    beta = params[size : 2 * size] - gamma * running_means
    return Affine(gamma.astype(np.float32), beta.astype(np.float32), per_channel=True)


def _read_relu(stream: DlibStream, name: str) -> Relu:
    if name == "relu_2" and stream.read_bool():
        raise DatFormatError("disabled relu layers are not supported")
    return Relu()


def _read_pool(stream: DlibStream, name: str) -> Pool:
    window = (stream.read_int(), stream.read_int())
    stride = (stream.read_int(), stream.read_int())
    padding = (stream.read_int(), stream.read_int())
    return Pool(name.startswith("max"), window, stride, padding)


def _read_add_prev(stream: DlibStream, name: str) -> AddPrev:
    return AddPrev()


def _read_fc(stream: DlibStream, name: str) -> FullyConnected:
    outputs, inputs = stream.read_int(), stream.read_int()
    params = stream.read_tensor().reshape(-1)
    stream.read_alias(), stream.read_alias()  # weights and biases
    has_bias = stream.read_int() == 0  # FC_HAS_BIAS
    for _ in range(4):
        stream.read_float()
    if name == "fc_3":
        has_bias = stream.read_bool() and has_bias
    weights = params[: inputs * outputs].reshape(inputs, outputs)
    biases = params[inputs * outputs : (inputs + 1) * outputs] if has_bias else None
    return FullyConnected(weights, biases)


_LAYER_READERS: dict[str, Callable[[DlibStream, str], Layer]] = {
    **dict.fromkeys(("con_4", "con_5", "con_6"), _read_conv),
    **dict.fromkeys(("affine_", "affine_2"), _read_affine),
    "bn_con2": _read_batch_norm,
    **dict.fromkeys(("relu_", "relu_2"), _read_relu),
    **dict.fromkeys(("max_pool_2", "avg_pool_2"), _read_pool),
    "add_prev_": _read_add_prev,
    **dict.fromkeys(("fc_2", "fc_3"), _read_fc),
}
