"""Per-group comparisons: hand-computed p-values, empty groups, and inconclusive verdicts."""

from __future__ import annotations

import math

import pytest

from lfr.evaluate.equitability import (
    INCONCLUSIVE,
    NO_DIFFERENCE,
    SIGNIFICANT,
    compare_groups,
    fisher_p,
    holm,
)
from lfr.evaluate.metrics import Rate

# Fisher, 0/10 against 5/10: 5 events among 20, group A draws 10. P(A has 0) =
# C(15,10)/C(20,10) = 3003/184756; P(A has 5) is the same; no other table is as extreme.
FISHER_0_5 = 2 * 3003 / 184756


def test_fisher_by_hand() -> None:
    assert fisher_p(Rate(0, 10), Rate(5, 10)) == pytest.approx(FISHER_0_5)
    assert fisher_p(Rate(0, 10), Rate(0, 10)) == pytest.approx(1.0)


def test_two_groups_significant() -> None:
    result = compare_groups("FPIR", 0.5, {"A": Rate(0, 10), "B": Rate(5, 10)})
    assert result.verdict == SIGNIFICANT
    assert result.test == "Fisher's exact test"
    assert result.p_value == pytest.approx(FISHER_0_5)


def test_too_few_samples_is_inconclusive_not_parity() -> None:
    result = compare_groups("FPIR", 0.5, {"A": Rate(0, 10), "B": Rate(0, 12)})
    assert result.p_value == pytest.approx(1.0)
    assert result.verdict == INCONCLUSIVE
    assert "not evidence of parity" in result.reason


def test_wide_intervals_are_inconclusive_even_with_many_trials() -> None:
    # 50/100: the 95% interval is about 0.40-0.60, wider than 0.10
    result = compare_groups("TPIR", 0.5, {"A": Rate(50, 100), "B": Rate(50, 100)})
    assert result.verdict == INCONCLUSIVE


def test_no_difference_with_enough_samples() -> None:
    result = compare_groups("FPIR", 0.5, {"A": Rate(0, 1000), "B": Rate(0, 1000)})
    assert result.verdict == NO_DIFFERENCE
    assert "not proof of parity" in result.reason


def test_empty_groups_are_shown_and_left_out() -> None:
    rates = {"A": Rate(0, 0), "B": Rate(1, 10)}
    result = compare_groups("TPIR", 0.5, rates)
    assert result.verdict == INCONCLUSIVE
    assert result.p_value is None and result.test is None
    assert result.rates["A"].value is None
    assert "A" in result.reason and "fewer than two groups" in result.reason
    assert compare_groups("TPIR", 0.5, {}).verdict == INCONCLUSIVE


def test_an_empty_third_group_does_not_block_the_others() -> None:
    rates = {"A": Rate(0, 10), "B": Rate(5, 10), "C": Rate(0, 0)}
    result = compare_groups("FPIR", 0.5, rates)
    assert result.test == "Fisher's exact test"
    assert result.p_value == pytest.approx(FISHER_0_5)
    assert "no trials (left out): C" in result.reason


def test_chi_square_by_hand() -> None:
    # Table [[100,100],[100,100],[150,50]]: expected 350/3 and 250/3 per row;
    # chi2 = 2*(2.381+3.333) + 9.524 + 13.333 = 240/7, df 2: p = exp(-chi2/2).
    rates = {"A": Rate(100, 200), "B": Rate(100, 200), "C": Rate(150, 200)}
    result = compare_groups("TPIR", 0.5, rates)
    assert result.test == "chi-square test of independence"
    assert result.p_value == pytest.approx(math.exp(-120 / 7), rel=1e-9)
    assert result.verdict == SIGNIFICANT


def test_small_expected_counts_use_pairwise_fisher_with_holm() -> None:
    # pairs: A-B p=1, A-C and B-C p=FISHER_0_5; Holm: smallest * 3 = 0.0975, then * 2
    rates = {"A": Rate(0, 10), "B": Rate(0, 10), "C": Rate(5, 10)}
    result = compare_groups("FPIR", 0.5, rates)
    assert result.test is not None and "Holm" in result.test
    assert result.p_value == pytest.approx(3 * FISHER_0_5)
    assert result.verdict == INCONCLUSIVE


def test_identical_outcomes_in_every_group() -> None:
    rates = {"A": Rate(0, 40), "B": Rate(0, 40), "C": Rate(0, 40)}
    result = compare_groups("FPIR", 0.5, rates)
    assert result.p_value == 1.0
    assert result.verdict in {INCONCLUSIVE, NO_DIFFERENCE}


def test_holm_by_hand() -> None:
    # sorted 0.01*3 = 0.03; 0.03*2 = 0.06; 0.04*1 = 0.04 -> kept monotone at 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
