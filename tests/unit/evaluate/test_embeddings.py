"""The embedded dataset (``lfr.evaluate.embeddings``): the distance matrix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lfr.evaluate.embeddings import distance_matrix


def test_distance_matrix_uses_the_live_search() -> None:
    probes = np.array([[0.0, 0.0], [3.0, 4.0]], np.float32)
    entries = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 1.0]], np.float32)
    assert distance_matrix(probes, entries) == pytest.approx(
        np.array([[5, 0, 1], [0, 5, math.sqrt(18)]])
    )
