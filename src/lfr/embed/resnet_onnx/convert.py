"""dlib's ``.dat`` to ONNX: in memory for the engine (nothing written, nothing to tamper
with), or to a file for other tools (``lfr models convert``), written to a temporary file and
renamed into place so a reader never sees half a file.
"""

from __future__ import annotations

from pathlib import Path

from lfr.dlibnet.dat_reader import read_network
from lfr.dlibnet.files import write_atomically
from lfr.embed.resnet_onnx.graph import build_model
from lfr.embed.resnet_onnx.plan import plan_resnet


def model_bytes(dat_path: Path) -> bytes:
    """The ONNX graph of ``dat_path``, serialised, converted in memory (nothing written)."""
    return bytes(build_model(plan_resnet(read_network(dat_path))).SerializeToString())


def convert(dat_path: Path, out: Path) -> Path:
    """Read ``dat_path``, write its ONNX graph to ``out`` atomically; returns ``out``."""
    return write_atomically(model_bytes(dat_path), out)
