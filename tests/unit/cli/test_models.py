"""``lfr models check``: exit 0 only within the tolerance, else one clear line and exit 1."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from lfr.cli import main
from lfr.cli.engine import models
from lfr.domain import Image
from lfr.embed.resnet_onnx import embedder as onnx_resnet


class _StubEmbedder:
    model_source = "converted in memory"


@pytest.fixture
def difference(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The difference the check will measure; set its single element in the test."""
    measured = [0.0]

    def fake_difference(chips: Sequence[Image], onnx_embedder: object) -> float:
        assert len(chips) == 1 and isinstance(onnx_embedder, _StubEmbedder)
        return measured[0]

    monkeypatch.setattr(models, "demo_chips", lambda: [np.zeros((150, 150, 3), np.uint8)])
    monkeypatch.setattr(
        onnx_resnet.OnnxResnetEmbedder, "from_installed", lambda threads: _StubEmbedder()
    )
    monkeypatch.setattr(onnx_resnet, "max_abs_difference", fake_difference)
    return measured


def test_check_passes_within_the_tolerance(
    difference: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    difference[0] = 3e-7
    assert main(["models", "check"]) == 0
    out = capsys.readouterr().out
    assert "faces checked: 1" in out and "3e-07" in out and out.strip().endswith("descriptors")


def test_check_fails_with_one_line_beyond_it(
    difference: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    difference[0] = 0.02
    assert main(["models", "check"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "does not reproduce dlib's descriptors (difference 0.02 > 1e-05)" in err


def test_check_refuses_a_missing_folder(
    difference: list[float], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["models", "check", str(tmp_path / "absent")]) == 1
    assert "is not a folder" in capsys.readouterr().err
