"""The open-set identification protocol, on hand-placed 2-d "descriptors"."""

from __future__ import annotations

import math

import pytest

from lfr.evaluate.embeddings import failure_counts
from lfr.evaluate.identification import run_searches
from lfr.evaluate.metrics import Rate, identification_at
from tests.unit.evaluate.placed import photo, world


def rounded(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 5)


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
