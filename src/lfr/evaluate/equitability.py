"""Do error rates differ between demographic groups? Rates per group and a significance test.

- Two groups with trials: Fisher's exact test on the 2x2 table (events, non-events).
- More than two: the chi-square test of independence on the k x 2 table when every expected
  count is at least 5; otherwise (typical for rare false positives) Fisher's exact test on
  every pair of groups, with Holm's correction for the number of pairs.
- Verdicts: "significant difference" when p < alpha. Otherwise "inconclusive" when any tested
  group has fewer than ``min_trials`` trials or a 95% interval wider than ``max_ci_width``:
  too few samples to see a difference, which is NOT evidence of parity. Only with enough
  samples is it "no significant difference detected", and even that is not proof of parity.
- A group with no trials has an undefined rate, is shown as such and is left out of the test;
  with fewer than two groups with trials, nothing can be tested ("inconclusive").
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lfr.evaluate.metrics import Rate

ALPHA = 0.05
MIN_TRIALS = 30
MAX_CI_WIDTH = 0.10

SIGNIFICANT = "significant difference"
NO_DIFFERENCE = "no significant difference detected"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True, slots=True)
class GroupComparison:
    metric: str
    threshold: float
    rates: dict[str, Rate]
    test: str | None
    p_value: float | None
    verdict: str
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "threshold": self.threshold,
            "groups": {g: r.to_json() for g, r in self.rates.items()},
            "test": self.test,
            "p_value": self.p_value,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def compare_groups(
    metric: str,
    threshold: float,
    rates: dict[str, Rate],
    alpha: float = ALPHA,
    min_trials: int = MIN_TRIALS,
    max_ci_width: float = MAX_CI_WIDTH,
) -> GroupComparison:
    tested = {g: r for g, r in rates.items() if r.trials > 0}
    empty = sorted(g for g, r in rates.items() if r.trials == 0)
    note = f"; no trials (left out): {', '.join(empty)}" if empty else ""

    def done(test: str | None, p: float | None, verdict: str, reason: str) -> GroupComparison:
        return GroupComparison(metric, threshold, rates, test, p, verdict, reason + note)

    if len(tested) < 2:
        return done(
            None, None, INCONCLUSIVE, "fewer than two groups with trials: nothing to compare"
        )
    test, p_value = _test(list(tested.values()))
    if p_value < alpha:
        return done(test, p_value, SIGNIFICANT, f"p = {p_value:.3g} < {alpha}")
    smallest = min(r.trials for r in tested.values())
    widest = max(_width(r) for r in tested.values())
    if smallest < min_trials or widest > max_ci_width:
        return done(
            test,
            p_value,
            INCONCLUSIVE,
            f"p = {p_value:.3g}, but too few samples to detect a difference (smallest group"
            f" {smallest} trials, need {min_trials}; widest 95% interval {widest:.3f}, need"
            f" <= {max_ci_width}): this is not evidence of parity",
        )
    return done(
        test,
        p_value,
        NO_DIFFERENCE,
        f"p = {p_value:.3g} >= {alpha}; every group's 95% interval is within {widest:.3f}"
        " (not proof of parity)",
    )


def _width(rate: Rate) -> float:
    interval = rate.interval
    return 1.0 if interval is None else interval[1] - interval[0]


def _test(rates: list[Rate]) -> tuple[str, float]:
    table = np.array([[r.count, r.trials - r.count] for r in rates], dtype=np.int64)
    if len(rates) == 2:
        return "Fisher's exact test", fisher_p(rates[0], rates[1])
    if (table.sum(axis=0) == 0).any():
        # Every group had the same outcome every time: the observed rates are identical.
        return "none needed (identical outcomes in every group)", 1.0
    expected = stats.contingency.expected_freq(table)
    if (expected >= 5).all():
        result = stats.chi2_contingency(table, correction=False)
        return "chi-square test of independence", float(result.pvalue)
    pairs = [fisher_p(a, b) for a, b in itertools.combinations(rates, 2)]
    return (
        "Fisher's exact test per pair of groups, Holm-corrected (expected counts < 5)",
        min(holm(pairs)),
    )


def fisher_p(a: Rate, b: Rate) -> float:
    table = [[a.count, a.trials - a.count], [b.count, b.trials - b.count]]
    return float(stats.fisher_exact(table, alternative="two-sided").pvalue)


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input's order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted
