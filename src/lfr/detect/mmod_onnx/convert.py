"""``mmod_human_face_detector.dat`` to ONNX: in memory for the engine (nothing written), or to
a file for other tools (``lfr models convert --detector``)."""

from __future__ import annotations

from pathlib import Path

from lfr.detect.mmod_onnx.graph import build_model
from lfr.detect.mmod_onnx.plan import MmodPlan, plan_mmod
from lfr.dlibnet.dat_reader import read_network
from lfr.dlibnet.files import write_atomically


def read_plan(dat_path: Path | bytes) -> MmodPlan:
    """The detector in ``dat_path`` (a path or its bytes), its affine layers folded."""
    return plan_mmod(read_network(dat_path))


def model_bytes(plan: MmodPlan) -> bytes:
    """The ONNX graph of ``plan``, serialised, in memory (nothing written)."""
    return bytes(build_model(plan).SerializeToString())


def convert(dat_path: Path, out: Path) -> Path:
    """Read ``dat_path``, write its ONNX graph to ``out`` atomically; returns ``out``."""
    return write_atomically(model_bytes(read_plan(dat_path)), out)
