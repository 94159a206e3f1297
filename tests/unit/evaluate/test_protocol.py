"""The open-set protocol and the verification pairs, on hand-placed 2-d "descriptors"."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from lfr.domain import EmbeddingContract, Subject, Template
from lfr.evaluate.dataset import FOLDERS, PAIRS, Dataset, Pair, Sample
from lfr.evaluate.embeddings import Embedded, distance_matrix, failure_counts
from lfr.evaluate.identification import run_searches
from lfr.evaluate.metrics import Rate, identification_at
from lfr.evaluate.verification import pair_scores

CONTRACT = EmbeddingContract("fake", "0" * 64, 2, "fake")


def photo(relpath: str, person: str, at: tuple[float, float] | None, enrollable: bool = True):  # type: ignore[no-untyped-def]
    subject = Subject(person, person)
    sample = Sample(Path("/nowhere") / relpath, relpath, person, enrollable, subject)
    if at is None:
        return Embedded(sample, None, "no face found")
    vector = np.array(at, np.float32)
    return Embedded(sample, Template(subject, vector, CONTRACT, relpath, b""))


def rounded(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 5)


def world() -> list[Embedded]:
    # A: a1 (0,0) a2 (0.3,0); B: b1 (1,0) b2 (1,0.4); unknown u1 (0,0.6)
    return [
        photo("a/1.jpg", "A", (0.0, 0.0)),
        photo("a/2.jpg", "A", (0.3, 0.0)),
        photo("b/1.jpg", "B", (1.0, 0.0)),
        photo("b/2.jpg", "B", (1.0, 0.4)),
        photo("unknown/u1.jpg", "unknown/u1.jpg", (0.0, 0.6), enrollable=False),
    ]


def test_distance_matrix_uses_the_live_search() -> None:
    probes = np.array([[0.0, 0.0], [3.0, 4.0]], np.float32)
    entries = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 1.0]], np.float32)
    assert distance_matrix(probes, entries) == pytest.approx(
        np.array([[5, 0, 1], [0, 5, math.sqrt(18)]])
    )


def test_protocol_by_hand() -> None:
    result = run_searches(world())
    assert result.enrolled == [{"A": "a/1.jpg", "B": "b/1.jpg"}]
    mated = [
        (s.probe, s.rank1_person, rounded(s.rank1_distance)) for s in result.searches if s.mated
    ]
    assert mated == [("a/2.jpg", "A", 0.3), ("b/2.jpg", "B", 0.4)]
    nonmated = [
        (s.probe, s.watchlist_size, rounded(s.rank1_distance))
        for s in result.searches
        if not s.mated
    ]
    # u1 against the whole list; then leave A out (A's photos against B), then leave B out
    assert nonmated == [
        ("unknown/u1.jpg", 2, 0.6),
        ("a/1.jpg", 1, 1.0),
        ("a/2.jpg", 1, 0.7),
        ("b/1.jpg", 1, 1.0),
        ("b/2.jpg", 1, round(math.sqrt(1.16), 5)),
    ]
    assert len(result.comparisons) == 2 + 4
    assert result.watchlist_sizes() == (1, 2)
    point = identification_at(result.outcomes(), 0.65)
    assert point.tpir == Rate(2, 2)
    assert point.fpir == Rate(1, 5)  # u1 at 0.6
    assert point.fmr == Rate(1, 6)
    assert identification_at(result.outcomes(), 0.75).fpir == Rate(2, 5)  # and a2 at 0.7


def test_outcomes_by_person_subset() -> None:
    result = run_searches(world())
    only_a = identification_at(result.outcomes({"A"}), 0.75)
    assert only_a.tpir == Rate(1, 1)
    assert only_a.fpir == Rate(1, 2)  # a2 against B at 0.7; a1 at 1.0
    assert only_a.fmr == Rate(1, 2)


def test_failures_to_acquire_are_misses_and_not_fpir_trials() -> None:
    photos = [*world(), photo("a/3.jpg", "A", None)]
    result = run_searches(photos)
    point = identification_at(result.outcomes(), 0.65)
    assert point.tpir == Rate(2, 3)  # the failed mated probe is a miss
    assert point.fpir == Rate(1, 5)  # the failed non-mated probe is not a trial
    assert result.outcomes().nonmated_failures == 1
    assert failure_counts(photos) == {"no face found": 1}


def test_an_identity_without_a_usable_photo_fails_to_enrol() -> None:
    photos = [*world(), photo("c/1.jpg", "C", None)]
    result = run_searches(photos)
    assert result.failed_to_enrol == ["C"]
    assert "C" not in result.enrolled[0]
    assert not any(s.mated and s.person == "C" for s in result.searches)


def test_rotation_enrols_the_next_photo() -> None:
    result = run_searches(world(), rotations=2)
    assert result.enrolled == [{"A": "a/1.jpg", "B": "b/1.jpg"}, {"A": "a/2.jpg", "B": "b/2.jpg"}]
    assert sum(s.mated for s in result.searches) == 4
    with pytest.raises(ValueError):
        run_searches(world(), rotations=0)


def test_a_single_identity_has_no_leave_one_out_search() -> None:
    photos = [photo("a/1.jpg", "A", (0, 0)), photo("a/2.jpg", "A", (0.1, 0))]
    result = run_searches(photos)
    assert [s.mated for s in result.searches] == [True]
    assert identification_at(result.outcomes(), 0.5).fpir.value is None  # no non-mated probe


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
