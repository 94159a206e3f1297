"""The layers of a dlib DNN as read from its ``.dat`` (see :mod:`.dat_reader`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


class DatFormatError(ValueError):
    """The bytes are not a dlib network this reader understands; the message says where."""


@dataclass(frozen=True, slots=True)
class MetricLoss:
    margin: float
    distance_threshold: float


@dataclass(frozen=True, slots=True)
class InputRgb:
    """``input_rgb_image_sized``: pixel -> (pixel - mean) / 256, channels R, G, B."""

    mean_rgb: tuple[float, float, float]
    rows: int
    cols: int


@dataclass(frozen=True, slots=True)
class Conv:
    filters: Floats
    """Shape (outputs, inputs, rows, cols): a cross-correlation, as in ONNX."""
    biases: Floats | None
    stride: tuple[int, int]
    padding: tuple[int, int]
    """Rows and columns of zeros added on each side (top and bottom, left and right)."""


@dataclass(frozen=True, slots=True)
class Affine:
    """y = gamma * x + beta per channel (``CONV_MODE``) or per element (``FC_MODE``)."""

    gamma: Floats
    beta: Floats
    per_channel: bool


@dataclass(frozen=True, slots=True)
class Relu:
    pass


@dataclass(frozen=True, slots=True)
class Pool:
    """dlib pools ignore padding: a max over, or a mean of, the window's in-image values."""

    is_max: bool
    window: tuple[int, int]
    """0 means the whole input (``avg_pool_everything``)."""
    stride: tuple[int, int]
    padding: tuple[int, int]


@dataclass(frozen=True, slots=True)
class AddPrev:
    """Adds a tagged earlier output; the sum has the larger size, missing elements are 0."""


@dataclass(frozen=True, slots=True)
class FullyConnected:
    weights: Floats
    """Shape (inputs, outputs): y = x @ weights (+ biases)."""
    biases: Floats | None


Layer = Conv | Affine | Relu | Pool | AddPrev | FullyConnected


@dataclass(frozen=True, slots=True)
class DlibNetwork:
    loss: MetricLoss
    input: InputRgb
    layers: tuple[Layer, ...]
    """Computational layers from the input to the output (the order they are written in)."""
    wrappers: str
    """From the loss inwards: 'L' for each computational layer, 'T' for a tag or skip."""
