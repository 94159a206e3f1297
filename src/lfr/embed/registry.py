"""The embedders by name. Each backend module declares
``build(config, reference_chips) -> (Aligner, Embedder)`` and reads what it needs of
``EngineConfig`` itself; the composition root picks one by ``EmbedderConfig.backend`` (``auto``
resolved by ``resolve_backend``) and only that module is imported.

``reference_chips`` gives aligned chips of a real face, made by dlib: a backend that claims
dlib's embedding contract on other arithmetic (``onnx-resnet``) checks itself on them before
any camera uses it. The composition root supplies them (the engine stages may not read the
demo data themselves)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from typing import Final, cast

from lfr.config import EngineConfig
from lfr.embed.base import Aligner, Embedder, ReferenceChips

EmbedderBuilder = Callable[[EngineConfig, ReferenceChips], tuple[Aligner, Embedder]]

BACKENDS: Final[Mapping[str, str]] = {
    "dlib-resnet": "lfr.embed.dlib_backend",
    "onnx-resnet": "lfr.embed.resnet_onnx.service",
    "onnx-sface": "lfr.embed.onnx_sface",
}
"""Backend name (``EmbedderConfig.backend``, ``auto`` aside) -> the module whose ``build``
makes it."""


def resolve_backend(config: EngineConfig) -> str:
    """The configured embedder, with ``auto`` resolved: dlib's ResNet on ONNX Runtime when
    onnxruntime and onnx are installed (the same descriptors, ten times faster), else dlib."""
    backend = config.embedder.backend
    if backend != "auto":
        return backend
    found = all(importlib.util.find_spec(name) for name in ("onnxruntime", "onnx"))
    return "onnx-resnet" if found else "dlib-resnet"


def builder(name: str) -> EmbedderBuilder:
    try:
        module_name = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"no embedder called {name!r} (known: {known})") from None
    return cast(EmbedderBuilder, importlib.import_module(module_name).build)


def build_embedder(
    config: EngineConfig, reference_chips: ReferenceChips
) -> tuple[Aligner, Embedder]:
    return builder(resolve_backend(config))(config, reference_chips)
