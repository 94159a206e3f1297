"""The check that lets the ONNX graph carry dlib's embedding contract: it is searched against
templates made by dlib, which is only right if it gives dlib's descriptors on the device it
runs on (a GPU's arithmetic may differ)."""

from __future__ import annotations

from typing import Final

from lfr.embed.base import ReferenceChips
from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder, max_abs_difference
from lfr.errors import IntegrityError

ONNX_TOLERANCE: Final = 1e-5
"""Largest difference from dlib's descriptor element under which the ONNX graph may carry
dlib's embedding contract (it is about 3e-7 on real faces)."""

_VERIFIED: set[tuple[str, tuple[str, ...]]] = set()
"""(graph digest, device) pairs already shown in this process to give dlib's descriptors."""


def require_dlibs_descriptors(onnx: OnnxResnetEmbedder, reference_chips: ReferenceChips) -> None:
    """Refuse ``onnx`` unless it gives dlib's descriptors on ``reference_chips``: checked once
    per graph and device in a process (about a second), before any camera uses it."""
    key = (onnx.model_sha256, tuple(onnx.providers))
    if key in _VERIFIED:
        return
    difference = max_abs_difference(reference_chips(), onnx_embedder=onnx)
    if difference > ONNX_TOLERANCE:
        raise IntegrityError(
            f"the ONNX model ({onnx.model_source}) does not give dlib's descriptors (difference"
            f" {difference:.3g} > {ONNX_TOLERANCE:g}); run 'lfr models check' for details"
        )
    _VERIFIED.add(key)
