"""The per-frame bound on aligned faces: untouched when few faces want a shot, fair when many."""

from __future__ import annotations

from collections import Counter

import pytest

from lfr.track.align_budget import AlignBudget


def test_no_more_wanting_faces_than_the_budget_are_all_aligned() -> None:
    budget = AlignBudget(4)
    assert budget.choose([7, 3, 9], frame=0) == {7, 3, 9}
    assert budget.choose([7, 3, 9, 1], frame=1) == {7, 3, 9, 1}


def test_zero_is_no_limit() -> None:
    assert AlignBudget(0).choose(list(range(50)), frame=0) == set(range(50))


def test_over_the_budget_the_longest_waiting_go_first() -> None:
    budget = AlignBudget(2)
    assert budget.choose([1, 2, 3, 4], frame=0) == {1, 2}  # none aligned yet: lowest ids
    assert budget.choose([1, 2, 3, 4], frame=1) == {3, 4}  # never aligned before 1 and 2
    assert budget.choose([1, 2, 3, 4, 5], frame=2) == {5, 1}  # new 5 first, then frame 0's


def test_a_crowd_shares_the_budget_evenly() -> None:
    budget = AlignBudget(4)
    tracks = list(range(1, 21))  # twenty new tracks at once
    aligned = Counter(t for frame in range(20) for t in budget.choose(tracks, frame))
    assert set(aligned.values()) == {4}  # 80 aligns over 20 frames: 4 each, nobody starved


def test_a_forgotten_track_counts_as_never_aligned() -> None:
    budget = AlignBudget(1)
    budget.choose([5], frame=0)
    budget.choose([6], frame=1)
    budget.forget(5)
    assert budget.choose([5, 6], frame=2) == {5}


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(ValueError):
        AlignBudget(-1)
