"""The metric code against values computed by hand on tiny synthetic score sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lfr.evaluate.metrics import (
    INCONCLUSIVE,
    NOT_MET,
    SUPPORTED,
    Rate,
    Searches,
    calibrate,
    clopper_pearson,
    comparisons_needed,
    equal_error_rate,
    fmr_for_fpir,
    fpir_from_fmr,
    identification_at,
    identification_sweep,
    one_in,
    scaled_fpir,
    threshold_grid,
    verification_at,
    verification_sweep,
)

# --- Clopper-Pearson --------------------------------------------------------------------------


def test_clopper_pearson_at_zero_of_n() -> None:
    # 0/n: lower 0, upper 1 - (alpha/2)^(1/n) = 1 - 0.025^(1/10)
    low, high = clopper_pearson(0, 10)  # type: ignore[misc]
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-12)
    assert high == pytest.approx(0.30850, abs=1e-5)


def test_clopper_pearson_at_n_of_n() -> None:
    low, high = clopper_pearson(10, 10)  # type: ignore[misc]
    assert high == 1.0
    assert low == pytest.approx(0.025 ** (1 / 10), abs=1e-12)
    assert low == pytest.approx(0.69150, abs=1e-5)


def test_clopper_pearson_one_of_two() -> None:
    # Beta(1, 2) and Beta(2, 1) quantiles have closed forms: 1 - sqrt(0.975) and sqrt(0.975).
    low, high = clopper_pearson(1, 2)  # type: ignore[misc]
    assert low == pytest.approx(1 - math.sqrt(0.975), abs=1e-12)
    assert high == pytest.approx(math.sqrt(0.975), abs=1e-12)


def test_clopper_pearson_without_trials_is_undefined() -> None:
    assert clopper_pearson(0, 0) is None
    rate = Rate(0, 0)
    assert rate.value is None and rate.interval is None
    assert rate.to_json() == {"count": 0, "trials": 0, "value": None, "ci95": None}


def test_rate_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        Rate(3, 2)
    with pytest.raises(ValueError):
        clopper_pearson(-1, 2)


def test_rate_complement() -> None:
    assert Rate(2, 5).complement() == Rate(3, 5)


# --- verification -----------------------------------------------------------------------------


def test_a_tie_at_the_threshold_is_a_match() -> None:
    point = verification_at(np.array([0.5, 0.6]), np.array([0.5, 0.7, 0.8]), 0.5)
    assert point.fnmr == Rate(1, 2)  # 0.6 > 0.5 is a non-match; 0.5 is a match
    assert point.fmr == Rate(1, 3)  # the non-mated 0.5 is a false match


def test_verification_sweep_steps() -> None:
    sweep = verification_sweep(np.array([0.2, 0.6]), np.array([0.4, 0.8]))
    assert sweep.thresholds.tolist() == [0.2, 0.4, 0.6, 0.8]
    assert sweep.fmr.tolist() == [0.0, 0.5, 0.5, 1.0]
    assert sweep.fnmr.tolist() == [0.5, 0.5, 0.0, 0.0]


def test_eer_of_a_separable_set_is_zero() -> None:
    eer = equal_error_rate(np.array([0.1, 0.2, 0.3]), np.array([0.6, 0.7]))
    assert eer is not None
    assert eer.value == 0.0
    assert eer.threshold == 0.3  # the largest mated score: FMR 0 and FNMR 0 from here


def test_eer_exactly_at_a_sweep_point() -> None:
    # thresholds 0.2 .4 .5 .6 .7 .9: FMR 0 0 1/3 1/3 2/3 1, FNMR 2/3 1/3 1/3 0 0 0
    eer = equal_error_rate(np.array([0.2, 0.4, 0.6]), np.array([0.5, 0.7, 0.9]))
    assert eer is not None
    assert eer.value == pytest.approx(1 / 3)
    assert eer.threshold == 0.5


def test_eer_interpolated_between_sweep_points() -> None:
    # thresholds .2 .4 .6 .8 .9 1: FMR 0 .25 .25 .5 .75 1; FNMR .5 .5 0 0 0 0.
    # FMR - FNMR is -.25 at 0.4 and +.25 at 0.6: halfway, FMR .25 and FNMR .25, at 0.5.
    eer = equal_error_rate(np.array([0.2, 0.6]), np.array([0.4, 0.8, 0.9, 1.0]))
    assert eer is not None
    assert eer.value == pytest.approx(0.25)
    assert eer.threshold == pytest.approx(0.5)


def test_eer_undefined_without_both_kinds() -> None:
    assert equal_error_rate(np.array([0.2]), np.array([])) is None
    assert equal_error_rate(np.array([]), np.array([0.2])) is None


# --- open-set identification ------------------------------------------------------------------


def searches() -> Searches:
    return Searches.of(
        mated=[
            (0.3, True),  # hit
            (0.5, True),  # tie at the threshold: a hit
            (0.45, False),  # wrong person within the threshold: a misidentification
            (None, False),  # failed to acquire: a miss
            (0.7, True),  # right person, too far: a miss
        ],
        nonmated=[0.5, 0.8, None],  # tie (false positive), correct rejection, failure
        comparisons=[0.5, 0.9, 0.8, 1.0],
    )


def test_identification_rates_by_hand() -> None:
    point = identification_at(searches(), 0.5)
    assert point.tpir == Rate(2, 5)
    assert point.fnir == Rate(3, 5)
    assert point.misidentification == Rate(1, 5)
    assert point.fpir == Rate(1, 2)  # the failed non-mated probe is not a trial
    assert point.fmr == Rate(1, 4)


def test_failures_are_counted() -> None:
    s = searches()
    assert s.mated_failures == 1
    assert s.nonmated_failures == 1


def test_no_nonmated_probes_leaves_fpir_undefined() -> None:
    point = identification_at(Searches.of(mated=[(0.3, True)], nonmated=[]), 0.5)
    assert point.tpir == Rate(1, 1)
    assert point.fpir == Rate(0, 0)
    assert point.fpir.value is None and point.fpir.interval is None
    assert point.fmr.value is None
    assert scaled_fpir(point.fmr, 1000).value is None
    _, _, fpir = identification_sweep(Searches.of(mated=[(0.3, True)], nonmated=[]))
    assert np.isnan(fpir).all()


def test_only_failed_nonmated_probes_leave_fpir_undefined() -> None:
    point = identification_at(Searches.of(mated=[], nonmated=[None, None]), 0.5)
    assert point.fpir.trials == 0 and point.fpir.value is None
    assert point.tpir.value is None


def test_identification_sweep() -> None:
    thresholds, fnir, fpir = identification_sweep(
        Searches.of(mated=[(0.2, True), (0.6, True)], nonmated=[0.4, 0.8])
    )
    assert thresholds.tolist() == [0.2, 0.4, 0.6, 0.8]
    assert fnir.tolist() == [0.5, 0.5, 0.0, 0.0]
    assert fpir.tolist() == [0.0, 0.5, 0.5, 1.0]


# --- scaling and calibration ------------------------------------------------------------------


def test_scaling_formula() -> None:
    assert fpir_from_fmr(0.5, 2) == pytest.approx(0.75)  # 1 - 0.5^2
    assert fpir_from_fmr(0.1, 3) == pytest.approx(0.271)  # 1 - 0.9^3
    assert fpir_from_fmr(0.0, 10_000) == 0.0
    assert fpir_from_fmr(1.0, 5) == 1.0
    assert fpir_from_fmr(0.3, 1) == pytest.approx(0.3)
    # tiny rates are not lost to rounding: about N * FMR
    assert fpir_from_fmr(1e-12, 1000) == pytest.approx(1e-9, rel=1e-6)


def test_fmr_for_fpir_inverts_the_scaling() -> None:
    assert fmr_for_fpir(0.75, 2) == pytest.approx(0.5)
    needed = fmr_for_fpir(1 / 6000, 10_000)
    assert needed == pytest.approx(1.6668e-8, rel=1e-4)
    assert fpir_from_fmr(needed, 10_000) == pytest.approx(1 / 6000)
    with pytest.raises(ValueError):
        fmr_for_fpir(0.0, 10)


def test_scaled_interval_maps_the_fmr_interval() -> None:
    # FMR 0/10: upper 1 - 0.025^(1/10); at N = 2: 1 - (0.025^(1/10))^2 = 1 - 0.025^(1/5)
    scaled = scaled_fpir(Rate(0, 10), 2)
    assert scaled.value == 0.0
    assert scaled.interval is not None
    assert scaled.interval[0] == 0.0
    assert scaled.interval[1] == pytest.approx(1 - 0.025 ** (1 / 5))
    assert scaled.to_json()["one_in"] is None


def test_one_in() -> None:
    assert one_in(1 / 6000) == pytest.approx(6000)
    assert one_in(0.0) is None and one_in(None) is None


def test_comparisons_needed() -> None:
    # smallest n with 1 - 0.025^(1/n) <= 0.5: n >= ln 0.025 / ln 0.5 = 5.32
    assert comparisons_needed(0.5) == 6
    assert clopper_pearson(0, 6)[1] <= 0.5 < clopper_pearson(0, 5)[1]  # type: ignore[index]


def test_threshold_grid() -> None:
    grid = threshold_grid()
    assert grid[0] == 0.001 and grid[-1] == 1.2
    assert 0.5 in grid.tolist()


def test_calibration_inconclusive_with_too_few_comparisons() -> None:
    # target FPIR 0.5 at size 1 needs FMR <= 0.5. FMR at .5/.6/.7: 0, 1/4, 2/4.
    s = Searches.of(
        mated=[(0.55, True), (0.75, True)],
        nonmated=[0.55],
        comparisons=[0.55, 0.65, 0.8, 0.9],
    )
    result = calibrate(s, 0.5, 1, grid=np.array([0.5, 0.6, 0.7]))
    assert result.threshold == 0.7  # FMR 2/4 = 0.5 meets it
    assert result.tpir == Rate(1, 2)  # the TPIR it costs
    # the upper bound of 0/4 is 0.60 > 0.5: the data cannot vouch for any threshold
    assert result.supported_threshold is None
    assert result.verdict == INCONCLUSIVE
    assert result.comparisons == 4 and result.comparisons_needed == 6


def test_calibration_supported_with_enough_comparisons() -> None:
    s = Searches.of(mated=[(0.55, True)], nonmated=[0.9], comparisons=[0.9] * 20)
    result = calibrate(s, 0.5, 1, grid=np.array([0.5, 0.6, 0.7]))
    # 0/20: upper bound 1 - 0.025^(1/20) = 0.168 <= 0.5
    assert result.verdict == SUPPORTED
    assert result.threshold == result.supported_threshold == 0.7
    assert result.supported_tpir == Rate(1, 1)


def test_calibration_not_met() -> None:
    s = Searches.of(mated=[], nonmated=[0.9], comparisons=[0.9])
    assert calibrate(s, 0.5, 1, grid=np.array([0.95])).verdict == NOT_MET


def test_calibration_without_nonmated_comparisons() -> None:
    result = calibrate(Searches.of(mated=[(0.3, True)], nonmated=[]), 1 / 6000, 10_000)
    assert result.verdict == INCONCLUSIVE
    assert result.threshold is None and result.tpir is None
    assert "no non-mated comparisons" in result.reason
