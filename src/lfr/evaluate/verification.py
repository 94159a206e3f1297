"""Verification (1:1) scores: every pair of acquired photos whose relationship is known.

Folders: every pair of photos, mated when both show the same person, non-mated otherwise;
pairs of two unmapped unknown/ files are left out (whether they show one person is not known).
Pairs file: the listed pairs. A pair with a photo that failed to acquire is not compared and is
counted apart: verification measures the comparison, failures to acquire are reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lfr.evaluate.dataset import PAIRS, Dataset
from lfr.evaluate.embeddings import Embedded, distance_matrix, vectors
from lfr.evaluate.metrics import Floats


@dataclass(frozen=True, slots=True)
class PairScores:
    mated: Floats
    nonmated: Floats
    mated_persons: list[str]
    """The person of each mated pair (for per-group rates)."""
    nonmated_persons: list[tuple[str, str]]
    not_compared: int
    """Pairs with a photo that failed to acquire."""
    unknown_relationship: int
    """Pairs of two unmapped unknown/ files: left out."""


def pair_scores(dataset: Dataset, embedded: list[Embedded]) -> PairScores:
    matrix = distance_matrix(vectors(embedded), vectors(embedded))
    if dataset.kind == PAIRS:
        pairs = [(p.a, p.b, p.same_person, True) for p in dataset.pairs]
    else:
        count = len(embedded)
        pairs = [
            (
                i,
                j,
                embedded[i].sample.person == embedded[j].sample.person,
                dataset.relationship_known(embedded[i].sample, embedded[j].sample),
            )
            for i in range(count)
            for j in range(i + 1, count)
        ]
    mated: list[float] = []
    nonmated: list[float] = []
    mated_persons: list[str] = []
    nonmated_persons: list[tuple[str, str]] = []
    not_compared = unknown = 0
    for i, j, same, known in pairs:
        if not known:
            unknown += 1
            continue
        if not (embedded[i].acquired and embedded[j].acquired):
            not_compared += 1
            continue
        a, b = embedded[i].sample.person, embedded[j].sample.person
        if same:
            mated.append(float(matrix[i, j]))
            mated_persons.append(a)
        else:
            nonmated.append(float(matrix[i, j]))
            nonmated_persons.append((a, b))
    return PairScores(
        np.asarray(mated, np.float64),
        np.asarray(nonmated, np.float64),
        mated_persons,
        nonmated_persons,
        not_compared,
        unknown,
    )
