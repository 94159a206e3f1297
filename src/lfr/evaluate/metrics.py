"""Error rates of a face recogniser, with exact confidence intervals. Pure numpy and scipy.

Conventions, used everywhere in ``lfr.evaluate`` and the same as the live alert rule
(``lfr.alert.rules.TrackEvidence``):

- a score is a Euclidean descriptor DISTANCE (lower = more alike);
- a comparison is a match when ``distance <= threshold``: a tie at the threshold is a match;
- a rate is a count out of a number of trials (``Rate``); with no trials it is undefined
  (``value`` is ``None``, written ``null`` in JSON), never 0;
- every rate carries a two-sided 95% Clopper-Pearson ("exact") interval from the beta
  distribution; it needs no normal approximation, so it stays valid at 0/n and n/n.

Verification (1:1): FMR(t) = non-mated pairs with d <= t / non-mated pairs;
FNMR(t) = mated pairs with d > t / mated pairs.

Open-set identification (1:N, ISO/IEC 19795-1, NIST FRTE), with one candidate (rank 1):
TPIR(t) = mated searches whose nearest entry is the right person and d <= t / mated searches;
FNIR = 1 - TPIR; FPIR(t) = non-mated searches whose nearest entry has d <= t / non-mated
searches. A mated probe that fails to acquire (no usable face) counts as a miss, as the live
system would miss it; a non-mated probe that fails to acquire is left out of FPIR's trials, as
it could not have shown a false positive (both choices are the pessimistic one).

FPIR at another watchlist size N (NPL 2023 and NIST scale this way): with the per-comparison
false match rate FMR (non-mated probe against one watchlist entry),
``FPIR(N) = 1 - (1 - FMR)^N``. It assumes the N comparisons of a search are independent and
that the data's FMR holds for the new watchlist's people; its interval maps the FMR's interval
through the same (increasing) function.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

CONFIDENCE = 0.95


def as_floats(values: Sequence[float] | npt.NDArray[np.floating] | Floats) -> Floats:
    return np.asarray(values, dtype=np.float64).reshape(-1)


# --- rates and intervals ------------------------------------------------------------------


def clopper_pearson(
    count: int, trials: int, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """Two-sided exact binomial interval for ``count`` successes in ``trials``; None if no
    trials. At 0/n the lower bound is 0 and the upper ``1 - (alpha/2)^(1/n)``; at n/n the
    upper bound is 1 and the lower ``(alpha/2)^(1/n)``."""
    if not 0 <= count <= trials:
        raise ValueError(f"count {count} outside 0..{trials}")
    if trials == 0:
        return None
    alpha = 1.0 - confidence
    lower = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, trials - count + 1))
    upper = (
        1.0 if count == trials else float(stats.beta.ppf(1 - alpha / 2, count + 1, trials - count))
    )
    return lower, upper


@dataclass(frozen=True, slots=True)
class Rate:
    """``count`` events out of ``trials``."""

    count: int
    trials: int

    def __post_init__(self) -> None:
        if not 0 <= self.count <= self.trials:
            raise ValueError(f"count {self.count} outside 0..{self.trials}")

    @property
    def value(self) -> float | None:
        return self.count / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return clopper_pearson(self.count, self.trials)

    def complement(self) -> Rate:
        return Rate(self.trials - self.count, self.trials)

    def to_json(self) -> dict[str, object]:
        interval = self.interval
        return {
            "count": self.count,
            "trials": self.trials,
            "value": self.value,
            "ci95": list(interval) if interval is not None else None,
        }


def count_at_most(scores: Floats, threshold: float) -> int:
    """How many scores are matches (``<= threshold``); NaN (no score) never is."""
    return int(np.count_nonzero(scores <= threshold))


# --- verification (1:1) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerificationPoint:
    threshold: float
    fmr: Rate
    fnmr: Rate


def verification_at(mated: Floats, nonmated: Floats, threshold: float) -> VerificationPoint:
    mated, nonmated = as_floats(mated), as_floats(nonmated)
    false_matches = count_at_most(nonmated, threshold)
    false_non_matches = mated.size - count_at_most(mated, threshold)
    return VerificationPoint(
        threshold, Rate(false_matches, nonmated.size), Rate(false_non_matches, mated.size)
    )


@dataclass(frozen=True, slots=True)
class Sweep:
    """Error rates at every distinct score used as the threshold (ascending): where a DET
    curve has its corners. ``fmr`` rises and ``fnmr`` falls with the threshold."""

    thresholds: Floats
    fmr: Floats
    fnmr: Floats


def verification_sweep(mated: Floats, nonmated: Floats) -> Sweep:
    mated, nonmated = np.sort(as_floats(mated)), np.sort(as_floats(nonmated))
    thresholds = np.unique(np.concatenate([mated, nonmated]))
    fmr = (
        np.searchsorted(nonmated, thresholds, side="right") / nonmated.size
        if nonmated.size
        else np.full(thresholds.shape, np.nan)
    )
    fnmr = (
        1.0 - np.searchsorted(mated, thresholds, side="right") / mated.size
        if mated.size
        else np.full(thresholds.shape, np.nan)
    )
    return Sweep(thresholds, np.asarray(fmr, np.float64), np.asarray(fnmr, np.float64))


@dataclass(frozen=True, slots=True)
class EqualErrorRate:
    value: float
    threshold: float


def equal_error_rate(mated: Floats, nonmated: Floats) -> EqualErrorRate | None:
    """Where FMR and FNMR cross, linearly interpolated between the two sweep points around
    the crossing (both rates are step functions of the threshold). None without mated or
    non-mated scores. A separable set (every mated score below every non-mated one) has
    EER 0 at the largest mated score."""
    sweep = verification_sweep(mated, nonmated)
    if sweep.thresholds.size == 0 or np.isnan(sweep.fmr).any() or np.isnan(sweep.fnmr).any():
        return None
    # Below the smallest score nothing matches: FMR 0, FNMR 1.
    thresholds = np.concatenate([sweep.thresholds[:1], sweep.thresholds])
    fmr = np.concatenate([[0.0], sweep.fmr])
    fnmr = np.concatenate([[1.0], sweep.fnmr])
    gap = fmr - fnmr  # rises from -1 to >= 0
    i = int(np.argmax(gap >= 0.0))
    if gap[i] == 0.0 or i == 0:
        return EqualErrorRate(float(fmr[i]), float(thresholds[i]))
    share = gap[i - 1] / (gap[i - 1] - gap[i])  # where the line between i-1 and i hits 0
    value = fmr[i - 1] + share * (fmr[i] - fmr[i - 1])
    threshold = thresholds[i - 1] + share * (thresholds[i] - thresholds[i - 1])
    return EqualErrorRate(float(value), float(threshold))


# --- open-set identification (1:N) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Searches:
    """Rank-1 outcomes of identification searches.

    ``mated_distance[i]``: distance to the nearest watchlist entry of mated search i (NaN if
    the probe failed to acquire); ``mated_correct[i]``: that entry is the probe's own person.
    ``nonmated_distance[j]``: same for non-mated search j. ``comparisons``: every distance of
    a non-mated probe to a watchlist entry (for the per-comparison FMR)."""

    mated_distance: Floats
    mated_correct: Bools
    nonmated_distance: Floats
    comparisons: Floats

    @classmethod
    def of(
        cls,
        mated: Sequence[tuple[float | None, bool]],
        nonmated: Sequence[float | None],
        comparisons: Sequence[float] | Floats = (),
    ) -> Searches:
        """Build from plain values: ``None`` is a probe that failed to acquire."""
        return cls(
            as_floats([np.nan if d is None else d for d, _ in mated]),
            np.asarray([bool(c) for _, c in mated], dtype=np.bool_).reshape(-1),
            as_floats([np.nan if d is None else d for d in nonmated]),
            as_floats(comparisons),
        )

    @property
    def mated_failures(self) -> int:
        return int(np.isnan(self.mated_distance).sum())

    @property
    def nonmated_failures(self) -> int:
        return int(np.isnan(self.nonmated_distance).sum())


@dataclass(frozen=True, slots=True)
class IdentificationPoint:
    threshold: float
    tpir: Rate
    """Mated searches with the right person at rank 1 within the threshold."""
    misidentification: Rate
    """Mated searches with the WRONG person at rank 1 within the threshold (a false alert
    on a watchlisted person), out of all mated searches."""
    fpir: Rate
    """Non-mated searches (acquired) with any entry within the threshold."""
    fmr: Rate
    """Non-mated comparisons (probe against one entry) within the threshold."""

    @property
    def fnir(self) -> Rate:
        return self.tpir.complement()


def identification_at(searches: Searches, threshold: float) -> IdentificationPoint:
    within = searches.mated_distance <= threshold  # NaN (failed) is never within
    hits = int(np.count_nonzero(within & searches.mated_correct))
    wrong = int(np.count_nonzero(within & ~searches.mated_correct))
    mated = int(searches.mated_distance.size)
    acquired = searches.nonmated_distance[~np.isnan(searches.nonmated_distance)]
    return IdentificationPoint(
        threshold=threshold,
        tpir=Rate(hits, mated),
        misidentification=Rate(wrong, mated),
        fpir=Rate(count_at_most(acquired, threshold), int(acquired.size)),
        fmr=Rate(count_at_most(searches.comparisons, threshold), int(searches.comparisons.size)),
    )


def identification_sweep(searches: Searches) -> tuple[Floats, Floats, Floats]:
    """(thresholds, FNIR, FPIR) at every distinct rank-1 distance, ascending. FPIR is NaN
    without acquired non-mated searches, FNIR NaN without mated searches."""
    candidates = np.concatenate([searches.mated_distance, searches.nonmated_distance])
    thresholds = np.unique(candidates[~np.isnan(candidates)])
    points = [identification_at(searches, float(t)) for t in thresholds]
    fnir = as_floats([_or_nan(p.fnir.value) for p in points])
    fpir = as_floats([_or_nan(p.fpir.value) for p in points])
    return thresholds, fnir, fpir


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else value


# --- scaling to larger watchlists and threshold calibration -------------------------------


def fpir_from_fmr(fmr: float, size: int) -> float:
    """``1 - (1 - fmr)^size``, computed without losing tiny rates to rounding."""
    if not 0.0 <= fmr <= 1.0:
        raise ValueError(f"FMR {fmr} outside 0..1")
    if size < 0:
        raise ValueError("watchlist size must not be negative")
    if fmr == 1.0:
        return 1.0 if size else 0.0
    return float(-math.expm1(size * math.log1p(-fmr)))


def fmr_for_fpir(fpir: float, size: int) -> float:
    """The per-comparison FMR at which a search of ``size`` entries has FPIR ``fpir``: the
    inverse of :func:`fpir_from_fmr`, ``1 - (1 - fpir)^(1/size)``."""
    if not 0.0 < fpir < 1.0:
        raise ValueError(f"target FPIR {fpir} must be between 0 and 1")
    if size <= 0:
        raise ValueError("watchlist size must be positive")
    return float(-math.expm1(math.log1p(-fpir) / size))


def comparisons_needed(fmr: float, confidence: float = CONFIDENCE) -> int:
    """Fewest non-mated comparisons, all without a false match, whose Clopper-Pearson upper
    bound is at most ``fmr``: the smallest n with ``1 - (alpha/2)^(1/n) <= fmr``."""
    if not 0.0 < fmr < 1.0:
        raise ValueError(f"FMR {fmr} must be between 0 and 1")
    alpha = 1.0 - confidence
    return math.ceil(math.log(alpha / 2) / math.log1p(-fmr) - 1e-9)


@dataclass(frozen=True, slots=True)
class ScaledFpir:
    size: int
    fmr: Rate
    value: float | None
    interval: tuple[float, float] | None

    def to_json(self) -> dict[str, object]:
        return {
            "watchlist_size": self.size,
            "value": self.value,
            "ci95": list(self.interval) if self.interval is not None else None,
            "one_in": one_in(self.value),
        }


def scaled_fpir(fmr: Rate, size: int) -> ScaledFpir:
    """FPIR at ``size`` entries from a per-comparison FMR, with the mapped interval."""
    value = fmr.value
    interval = fmr.interval
    return ScaledFpir(
        size,
        fmr,
        None if value is None else fpir_from_fmr(value, size),
        None
        if interval is None
        else (fpir_from_fmr(interval[0], size), fpir_from_fmr(interval[1], size)),
    )


def one_in(rate: float | None) -> float | None:
    """1 / rate, for "1 in 6,000" wording; None when undefined or zero."""
    return None if rate is None or rate <= 0.0 else 1.0 / rate


SUPPORTED = "supported"
INCONCLUSIVE = "inconclusive"
NOT_MET = "not met"


@dataclass(frozen=True, slots=True)
class Calibration:
    """The loosest threshold meeting a target FPIR at a watchlist size, and its cost.

    ``threshold`` is the largest grid threshold whose OBSERVED per-comparison FMR meets the
    FMR the target needs; ``supported_threshold`` the largest whose 95% UPPER bound meets it
    (what the data can vouch for). The verdict is "supported" when the latter exists,
    "inconclusive" when only the point estimate meets it (too few comparisons), and "not met"
    when no threshold of the grid does."""

    target_fpir: float
    size: int
    fmr_needed: float
    comparisons: int
    comparisons_needed: int
    threshold: float | None
    supported_threshold: float | None
    tpir: Rate | None
    """TPIR at ``threshold``: what the target costs."""
    supported_tpir: Rate | None
    verdict: str
    reason: str

    def to_json(self) -> dict[str, object]:
        return {
            "target_fpir": self.target_fpir,
            "target_one_in": one_in(self.target_fpir),
            "watchlist_size": self.size,
            "fmr_needed": self.fmr_needed,
            "comparisons": self.comparisons,
            "comparisons_needed": self.comparisons_needed,
            "threshold": self.threshold,
            "supported_threshold": self.supported_threshold,
            "tpir": self.tpir.to_json() if self.tpir else None,
            "supported_tpir": self.supported_tpir.to_json() if self.supported_tpir else None,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def threshold_grid(step: float = 0.001, top: float = 1.2) -> Floats:
    """Candidate thresholds for calibration: step, 2*step, ... top (distances are > 0)."""
    count = round(top / step)
    return np.round(np.arange(1, count + 1) * step, 10)


def calibrate(
    searches: Searches,
    target_fpir: float,
    size: int,
    grid: Floats | None = None,
    confidence: float = CONFIDENCE,
) -> Calibration:
    grid = threshold_grid() if grid is None else np.sort(as_floats(grid))
    needed = fmr_for_fpir(target_fpir, size)
    comparisons = np.sort(searches.comparisons[~np.isnan(searches.comparisons)])
    total = int(comparisons.size)
    need_n = comparisons_needed(needed, confidence)

    def result(
        threshold: float | None, supported: float | None, verdict: str, reason: str
    ) -> Calibration:
        return Calibration(
            target_fpir,
            size,
            needed,
            total,
            need_n,
            threshold,
            supported,
            identification_at(searches, threshold).tpir if threshold is not None else None,
            identification_at(searches, supported).tpir if supported is not None else None,
            verdict,
            reason,
        )

    if total == 0:
        return result(None, None, INCONCLUSIVE, "no non-mated comparisons: FMR is undefined")
    false_matches = np.searchsorted(comparisons, grid, side="right")
    meets = false_matches / total <= needed
    if not meets.any():
        return result(None, None, NOT_MET, "no threshold of the grid meets the target")
    threshold = float(grid[np.nonzero(meets)[0][-1]])
    uppers = np.array([_upper(int(k), total, confidence) for k in false_matches])
    supported_mask = uppers <= needed
    if supported_mask.any():
        supported = float(grid[np.nonzero(supported_mask)[0][-1]])
        return result(
            threshold,
            supported,
            SUPPORTED,
            f"the 95% upper bound of the FMR at {supported:.3f} is within the"
            f" {needed:.3g} the target needs",
        )
    best = _upper(0, total, confidence)
    return result(
        threshold,
        None,
        INCONCLUSIVE,
        f"the target needs a per-comparison FMR of at most {needed:.3g}; {total} non-mated"
        f" comparisons can bound it no lower than {best:.3g} (95% upper bound with no false"
        f" match), so at least {need_n:,} comparisons without a false match are needed",
    )


def _upper(count: int, trials: int, confidence: float) -> float:
    interval = clopper_pearson(count, trials, confidence)
    return 1.0 if interval is None else interval[1]
