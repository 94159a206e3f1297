"""The embedded dataset (``lfr.evaluate.embeddings``): the distance matrix."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lfr.config import EngineConfig
from lfr.domain import Box
from lfr.evaluate.dataset import load_dataset
from lfr.evaluate.embeddings import distance_matrix, embed_dataset
from lfr.pipeline.engine import Engine
from tests.unit.fakes import FakeAligner, FakeEmbedder, OneBoxDetector
from tests.unit.image_bytes import encoded, png_bomb

BOX = Box(20, 20, 120, 120)
CODE = 10  # the marker the fake aligner reads at the box's corner


def test_distance_matrix_uses_the_live_search() -> None:
    probes = np.array([[0.0, 0.0], [3.0, 4.0]], np.float32)
    entries = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 1.0]], np.float32)
    assert distance_matrix(probes, entries) == pytest.approx(
        np.array([[5, 0, 1], [0, 5, math.sqrt(18)]])
    )


def test_a_photo_over_the_image_limits_fails_to_acquire_with_why_and_the_rest_go_on(
    tmp_path: Path,
) -> None:
    alice = tmp_path / "alice"
    alice.mkdir()
    grey = np.zeros((160, 160), np.uint8)
    grey[int(BOX.top), int(BOX.left)] = CODE
    (alice / "1_huge.png").write_bytes(png_bomb(8000, 8000))  # 64 megapixels in 8 KB
    (alice / "2_front.png").write_bytes(encoded(np.dstack([grey] * 3), "PNG"))
    (alice / "3_scan.pgm").write_bytes(encoded(grey, "PPM"))  # a grey PGM decodes too
    engine = Engine(
        EngineConfig(), OneBoxDetector(BOX), FakeAligner(), FakeEmbedder({CODE: [1.0, 0, 0, 0]})
    )
    embedded = embed_dataset(engine, load_dataset(tmp_path), progress=False)
    assert [(e.sample.relpath, e.acquired) for e in embedded] == [
        ("alice/1_huge.png", False),
        ("alice/2_front.png", True),
        ("alice/3_scan.pgm", True),
    ]
    assert embedded[0].failure == (
        "too large: 8000 x 8000 pixels (64 megapixels); the limit is 40 megapixels per image"
    )
