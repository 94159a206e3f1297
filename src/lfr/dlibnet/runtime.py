"""onnxruntime, imported with its telemetry off, and sessions made the same way for every
converted dlib network."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from lfr.errors import ModelNotInstalledError

ORT_HINT = "pip install 'onnxruntime>=1.17' (or onnxruntime-gpu for CUDA)"


def import_onnxruntime(what: str) -> Any:
    """The ``onnxruntime`` module; ``what`` (needs it) names the caller in the error."""
    # ONNX Runtime's telemetry (1.2x and later, on Linux too) writes a device id under ~/.cache
    # and a session file in the working folder, and may upload a process event. A police
    # system sends nothing anywhere and writes nothing it does not need: off before the import.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    try:
        import onnxruntime
    except ImportError as exc:
        raise ModelNotInstalledError(f"{what} needs onnxruntime; {ORT_HINT}") from exc
    return onnxruntime


def make_session(model: bytes, threads: int, providers: Sequence[str], what: str) -> Any:
    """An inference session of ``model`` with ``threads`` intra-op threads (one call's work)
    and one inter-op thread."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    ort = import_onnxruntime(what)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=list(providers))
