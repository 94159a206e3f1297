"""Verification pairs (``lfr.evaluate.verification``), on hand-placed 2-d "descriptors"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lfr.evaluate.dataset import FOLDERS, PAIRS, Dataset, Pair
from lfr.evaluate.verification import pair_scores
from tests.unit.evaluate.placed import photo, world


def test_verification_pairs_of_folders() -> None:
    photos = [*world(), photo("unknown/u2.jpg", "unknown/u2.jpg", (5, 5), False)]
    dataset = Dataset(Path("/nowhere"), FOLDERS, [e.sample for e in photos])
    scores = pair_scores(dataset, photos)
    assert sorted(np.round(scores.mated, 6).tolist()) == [0.3, 0.4]
    # 6 photos: 15 pairs; 2 mated, 1 unknown-unknown left out, 12 non-mated
    assert scores.nonmated.size == 12
    assert scores.unknown_relationship == 1
    assert scores.mated_persons == ["A", "B"]


def test_verification_pairs_with_a_mapping_compare_unknowns() -> None:
    photos = [*world(), photo("unknown/u2.jpg", "unknown/u2.jpg", (5, 5), False)]
    dataset = Dataset(Path("/nowhere"), FOLDERS, [e.sample for e in photos], unknown_mapped=True)
    assert pair_scores(dataset, photos).nonmated.size == 13


def test_verification_pairs_file_and_failures() -> None:
    photos = [photo("x.jpg", "x.jpg", (0, 0), False), photo("y.jpg", "y.jpg", (0.6, 0.8), False)]
    photos.append(photo("z.jpg", "z.jpg", None, False))
    dataset = Dataset(
        Path("/nowhere"),
        PAIRS,
        [e.sample for e in photos],
        pairs=[Pair(0, 1, True), Pair(0, 1, False), Pair(1, 2, True)],
    )
    scores = pair_scores(dataset, photos)
    assert scores.mated.tolist() == pytest.approx([1.0])
    assert scores.nonmated.tolist() == pytest.approx([1.0])
    assert scores.not_compared == 1
