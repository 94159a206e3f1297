"""The face detectors by name. Each backend module declares ``build(config) -> FaceDetector``
and reads what it needs of ``DetectorConfig`` itself; the composition root picks one by
``DetectorConfig.backend`` and only that module is imported (ONNX Runtime, dlib and OpenCV's
DNN load only when asked for). A new backend is a module and one line here."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Final, cast

from lfr.config import DetectorConfig
from lfr.detect.base import FaceDetector

DetectorBuilder = Callable[[DetectorConfig], FaceDetector]

BACKENDS: Final[Mapping[str, str]] = {
    "dlib-hog": "lfr.detect.dlib_hog",
    "dlib-mmod": "lfr.detect.dlib_mmod",
    "mmod-onnx": "lfr.detect.mmod_onnx.detector",
    "onnx-yunet": "lfr.detect.onnx_yunet",
}
"""Backend name (``DetectorConfig.backend``) -> the module whose ``build`` makes it."""


def builder(name: str) -> DetectorBuilder:
    try:
        module_name = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"no face detector called {name!r} (known: {known})") from None
    return cast(DetectorBuilder, importlib.import_module(module_name).build)


def build_detector(config: DetectorConfig) -> FaceDetector:
    return builder(config.backend)(config)
