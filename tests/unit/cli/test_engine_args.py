"""The engine settings parser (``--config`` file, ``--detect-width``, ``--threshold``): any
file and any values give a valid ``EngineConfig`` or a clear error, never anything else."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from lfr.cli.engine.engine_args import load_config
from lfr.config import EngineConfig
from lfr.errors import LfrError
from tests.unit.settings_files import (
    DEEP,
    MALFORMED,
    changed_settings,
    json_text,
    toml_text,
)

PROPERTY = settings(max_examples=100, deadline=None)
DEFAULTS = EngineConfig().model_dump(mode="json")
SUFFIXES = st.sampled_from([".toml", ".json"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("engine-config")


def load(
    folder: Path, text: str, suffix: str, width: int | None = None, threshold: float | None = None
) -> EngineConfig:
    path = folder / f"engine{suffix}"
    path.write_text(text, encoding="utf-8")
    args = argparse.Namespace(config=path, detect_width=width, threshold=threshold)
    return load_config(args)


def assert_valid(config: EngineConfig) -> None:
    """Every bound holds: validating the config's own values again gives it back."""
    assert EngineConfig.model_validate(config.model_dump()) == config


@PROPERTY
@given(MALFORMED, SUFFIXES)
@example(DEEP, ".toml")
@example(DEEP.removeprefix("a = "), ".json")
@example("[1, 2]", ".json")  # valid JSON, but not a table
def test_any_config_file_gives_a_valid_config_or_a_clear_error(
    folder: Path, text: str, suffix: str
) -> None:
    try:
        config = load(folder, text, suffix)
    except (LfrError, ValidationError) as exc:  # both end in one line from ``lfr``
        assert str(exc)
    else:
        assert_valid(config)


@PROPERTY
@given(
    changed_settings(DEFAULTS),
    SUFFIXES,
    st.none() | st.integers(1, 10_000),
    st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
@example(DEFAULTS, ".toml", 5, None)  # under the bound of 160: once accepted unchecked
@example(DEFAULTS, ".json", 100_000, None)
@example({**DEFAULTS, "images": {"max_pixels": 50_000_000}}, ".toml", None, None)
def test_changed_settings_and_flags_give_a_valid_config_or_a_clear_error(
    folder: Path,
    values: dict[str, object],
    suffix: str,
    width: int | None,
    threshold: float | None,
) -> None:
    text = toml_text(values) if suffix == ".toml" else json_text(values)
    try:
        config = load(folder, text, suffix, width, threshold)
    except (LfrError, ValidationError) as exc:
        assert str(exc)
    else:
        assert_valid(config)
        if width is not None:
            assert config.detector.max_width == width


def test_the_image_limits_are_engine_settings(folder: Path) -> None:
    text = "[images]\nmax_pixels = 12000000\nmax_request_files = 5\n"
    config = load(folder, text, ".toml")
    assert (config.images.max_pixels, config.images.max_request_files) == (12_000_000, 5)
    with pytest.raises(ValidationError, match="max_request_pixels must be at least max_pixels"):
        load(folder, "[images]\nmax_pixels = 50000000\nmax_request_pixels = 40000000\n", ".toml")
