"""The engine arguments every scanning command shares (``--config``, ``--threshold``,
``--detect-width``) and the one way they become an ``EngineConfig``."""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path

from lfr.cli.argtypes import positive_int
from lfr.config import EngineConfig
from lfr.errors import LfrError

THRESHOLD_HELP = "largest descriptor distance that counts as a hit (default 0.5)"
DETECT_WIDTH_HELP = "shrink frames to this width before detection (default 640)"


def add_engine_args(
    parser: argparse.ArgumentParser,
    *,
    threshold_help: str | None = THRESHOLD_HELP,
    detect_width_help: str = DETECT_WIDTH_HELP,
) -> None:
    """``threshold_help=None`` leaves ``--threshold`` out (a deployment carries its own)."""
    parser.add_argument("--config", type=Path, help="engine settings (TOML or JSON)")
    if threshold_help is not None:
        parser.add_argument("--threshold", type=float, help=threshold_help)
    parser.add_argument("--detect-width", type=positive_int, help=detect_width_help)


def load_config(args: argparse.Namespace) -> EngineConfig:
    data: dict[str, object] = {}
    if args.config is not None:
        data = read_config_file(args.config)
    config = EngineConfig.model_validate(data)
    if args.detect_width is not None:
        # As a dict, so it is validated: a model instance would pass unchecked (out of bounds).
        detector = {**config.detector.model_dump(), "max_width": args.detect_width}
        config = EngineConfig.model_validate({**config.model_dump(), "detector": detector})
    return config.with_threshold(getattr(args, "threshold", None))


def read_config_file(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise LfrError(f"cannot read config {path}: {exc}") from None
    except RecursionError:  # both parsers recurse: "[[[[..." thousands deep
        raise LfrError(f"cannot read config {path}: nested too deeply") from None
    if not isinstance(data, dict):
        raise LfrError(f"config {path}: expected a table of settings")
    return data
