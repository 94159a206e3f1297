"""The layers of a dlib DNN as read from its ``.dat`` (see :mod:`.dat_reader`): plain frozen
dataclasses shared by the ResNet embedder's and the MMOD detector's converters."""

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
class DetectorWindow:
    """A sliding window of ``loss_mmod``: the box (pixels of its pyramid level) a positive
    score at one output position stands for."""

    width: int
    height: int
    label: str


@dataclass(frozen=True, slots=True)
class BoxOverlap:
    """dlib's ``test_box_overlap``: two boxes overlap when the intersection is more than
    ``iou`` of their *bounding* box (not their union) or more than ``covered`` of either."""

    iou: float
    covered: float


@dataclass(frozen=True, slots=True)
class MmodLoss:
    """``loss_mmod``'s options that matter in inference (the rest only shape training)."""

    windows: tuple[DetectorWindow, ...]
    overlaps_nms: BoxOverlap
    bounding_box_regression: bool


@dataclass(frozen=True, slots=True)
class InputRgbPyramid:
    """``input_rgb_image_pyramid<pyramid_down<N>>``: (pixel - mean) / 256, channels R, G, B,
    the image and its smaller copies tiled into one tensor with zeros between them."""

    mean_rgb: tuple[float, float, float]
    padding: int
    """Zeros between two pyramid levels."""
    outer_padding: int
    """Zeros around the whole tiled image."""


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


Loss = MetricLoss | MmodLoss
Input = InputRgb | InputRgbPyramid


@dataclass(frozen=True, slots=True)
class DlibNetwork:
    loss: Loss
    input: Input
    layers: tuple[Layer, ...]
    """Computational layers from the input to the output (the order they are written in)."""
    wrappers: str
    """From the loss inwards: 'L' for each computational layer, 'T' for a tag or skip."""
