"""dlib's ``.dat`` to ONNX: in memory for the engine (nothing written, nothing to tamper
with), or to a file for other tools (``lfr models convert``), written to a temporary file and
renamed into place so a reader never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lfr.embed.dlib_onnx.dat_reader import read_network
from lfr.embed.dlib_onnx.resnet_graph import build_model
from lfr.embed.dlib_onnx.resnet_plan import plan_resnet


def model_bytes(dat_path: Path) -> bytes:
    """The ONNX graph of ``dat_path``, serialised, converted in memory (nothing written)."""
    return bytes(build_model(plan_resnet(read_network(dat_path))).SerializeToString())


def convert(dat_path: Path, out: Path) -> Path:
    """Read ``dat_path``, write its ONNX graph to ``out`` atomically; returns ``out``."""
    model = build_model(plan_resnet(read_network(dat_path)))
    out.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before the rename
        dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(model.SerializeToString())
        os.replace(handle.name, out)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return out
