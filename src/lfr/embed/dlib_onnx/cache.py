"""Convert dlib's ``.dat`` to ONNX once, into the user's cache, keyed by the weights' digest.

The cache directory is ``$LFR_MODEL_CACHE``, else ``$XDG_CACHE_HOME/openlfr``, else
``~/.cache/openlfr``. A file is named by the SHA-256 of the ``.dat`` it came from and by
:data:`CONVERTER_VERSION`, so other weights or a changed converter never reuse a stale graph.
It is written to a temporary file and renamed into place, so a reader never sees half a file
and two processes converting at once both end with a whole one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from lfr.embed.dlib_onnx.dat_reader import read_network
from lfr.embed.dlib_onnx.resnet_graph import build_model
from lfr.embed.dlib_onnx.resnet_plan import plan_resnet
from lfr.models import sha256_file

CONVERTER_VERSION = 1
"""Raise when the graph written for the same weights changes."""


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("LFR_MODEL_CACHE"):
        return Path(env["LFR_MODEL_CACHE"]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "openlfr"
    return Path.home() / ".cache" / "openlfr"


def cached_name(weights_sha256: str) -> str:
    return f"dlib-resnet-{weights_sha256}-c{CONVERTER_VERSION}.onnx"


def onnx_model_path(dat_path: Path, environ: Mapping[str, str] | None = None) -> Path:
    """The ONNX graph of ``dat_path``, converted into the cache on first use."""
    target = cache_dir(environ) / cached_name(sha256_file(dat_path))
    if not target.is_file():
        convert(dat_path, target)
    return target


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
