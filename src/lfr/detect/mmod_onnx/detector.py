"""dlib's MMOD CNN face detector on ONNX Runtime: dlib's boxes and scores, ~12x faster than
dlib's own on a CPU (still ~5x slower than HOG: 2-6 frames a second a core at 640x360).

The network is converted from dlib's own ``mmod_human_face_detector.dat`` in memory (a
fraction of a second; nothing written), or loaded from ``lfr models convert --detector``.
Around it, the steps dlib's ``cnn_face_detection_model_v1`` takes, in numpy: the optional
upsampling, the tiled image pyramid, and the boxes with the loss layer's windows and
non-maximum suppression (:mod:`lfr.detect.mmod_onnx`). onnxruntime releases the GIL while it
runs, and one session may be shared between threads.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lfr.config import DetectorConfig
from lfr.detect.mmod_onnx.boxes import decode
from lfr.detect.mmod_onnx.convert import model_bytes, read_plan
from lfr.detect.mmod_onnx.graph import INPUT_NAME
from lfr.detect.mmod_onnx.plan import PYRAMID_DOWN
from lfr.detect.mmod_onnx.pyramid import pyramid_layout, tile_pyramid
from lfr.detect.mmod_onnx.upsample import pyramid_up, rect_down
from lfr.dlibnet.runtime import make_session
from lfr.domain import Box, Detection, Image
from lfr.models import dlib_model_paths

_CPU = ["CPUExecutionProvider"]


class MmodOnnxDetector:
    """Implements :class:`lfr.detect.base.FaceDetector` with dlib's MMOD weights.

    ``threads``: onnxruntime's intra-op threads for one frame. ``min_confidence``: the score a
    box must exceed (dlib's ``adjust_threshold``; 0 gives dlib's own boxes, lower finds more).
    ``model_path``: a graph written by ``lfr models convert --detector`` instead of converting
    ``weights`` in memory (the windows and thresholds still come from ``weights``).
    """

    name = "mmod-onnx"

    def __init__(
        self,
        weights: Path,
        threads: int = 1,
        min_confidence: float = 0.0,
        model_path: Path | None = None,
    ) -> None:
        self._plan = read_plan(weights)
        model = model_path.read_bytes() if model_path is not None else model_bytes(self._plan)
        self._session = make_session(model, threads, _CPU, "the mmod-onnx face detector")
        self._threshold = min_confidence
        self.threads = threads

    @classmethod
    def from_installed(cls, threads: int = 1, min_confidence: float = 0.0) -> MmodOnnxDetector:
        """With the weights of the installed ``face_recognition_models`` package."""
        return cls(dlib_model_paths().mmod_detector, threads, min_confidence)

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        rgb = np.dstack([image] * 3) if image.ndim == 2 else image
        for _ in range(upsample):
            rgb = pyramid_up(rgb)
        plan = self._plan
        layout = pyramid_layout(
            rgb.shape[0], rgb.shape[1], plan.padding, plan.outer_padding, PYRAMID_DOWN
        )
        if not layout.rects:
            return []
        tensor = tile_pyramid(rgb, layout, plan.mean_rgb)
        (scores,) = self._session.run(None, {INPUT_NAME: tensor[None]})
        return [
            Detection(Box(*(float(v) for v in rect_down(found.rect, upsample))), found.score)
            for found in decode(np.asarray(scores)[0], plan, layout, self._threshold)
        ]


def build(config: DetectorConfig) -> MmodOnnxDetector:
    """The registry's builder (``lfr.detect.registry``): dlib's MMOD on ONNX Runtime, one
    compute thread per core (at most 8) unless ``threads`` says otherwise."""
    threads = config.threads or min(8, os.cpu_count() or 1)
    return MmodOnnxDetector.from_installed(threads, config.min_confidence)
