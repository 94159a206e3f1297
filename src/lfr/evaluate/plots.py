"""The report's figures as PNG bytes (matplotlib's Agg canvas; no pyplot, no global state).

Rates of 0 cannot sit on a log axis: they are drawn at a floor of half of one trial
(``0.5 / trials``), and the axis says so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lfr.evaluate.identification import Identification
from lfr.evaluate.metrics import (
    Floats,
    as_floats,
    fpir_from_fmr,
    identification_at,
    scaled_fpir,
    verification_sweep,
)
from lfr.evaluate.verification import PairScores

MATED = "#1b7837"
NONMATED = "#b2182b"
SCALED = ("#2166ac", "#762a83", "#e08214", "#35978f")


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def _floored(values: Floats, trials: int) -> tuple[Floats, float]:
    floor = 0.5 / max(trials, 1)
    return np.where(values > 0, values, floor), floor


def _log_axes(ax: Axes, xlabel: str, ylabel: str, xfloor: float, yfloor: float) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(xfloor / 1.5, 1.05)
    ax.set_ylim(yfloor / 1.5, 1.05)
    ax.set_xlabel(f"{xlabel} (0 drawn at {xfloor:.2g})")
    ax.set_ylabel(f"{ylabel} (0 drawn at {yfloor:.2g})")
    ax.grid(True, which="both", alpha=0.3)


def det_figure(
    pairs: PairScores | None,
    identification: Identification | None,
    sizes: Sequence[int],
    threshold: float,
) -> bytes:
    """DET curves: verification (FNMR against FMR) and identification (FNIR against FPIR,
    measured and scaled to the given watchlist sizes). The engine's threshold is marked."""
    panels = [p for p in (pairs, identification) if p is not None]
    figure = Figure(figsize=(6.0 * max(len(panels), 1), 5.0))
    axes = figure.subplots(1, max(len(panels), 1), squeeze=False)[0]
    column = 0
    if pairs is not None:
        _verification_det(axes[column], pairs, threshold)
        column += 1
    if identification is not None:
        _identification_det(axes[column], identification, sizes, threshold)
    return _png(figure)


def _verification_det(ax: Axes, pairs: PairScores, threshold: float) -> None:
    ax.set_title(
        f"Verification DET ({pairs.mated.size} mated, {pairs.nonmated.size} non-mated pairs)"
    )
    if pairs.mated.size == 0 or pairs.nonmated.size == 0:
        ax.text(0.5, 0.5, "needs mated and non-mated pairs", ha="center", transform=ax.transAxes)
        return
    sweep = verification_sweep(pairs.mated, pairs.nonmated)
    fmr, xfloor = _floored(sweep.fmr, pairs.nonmated.size)
    fnmr, yfloor = _floored(sweep.fnmr, pairs.mated.size)
    ax.step(fmr, fnmr, where="post", color=MATED, label="dlib descriptor, photos")
    at = int(np.searchsorted(sweep.thresholds, threshold, side="right")) - 1
    if at >= 0:
        ax.plot([fmr[at]], [fnmr[at]], "o", color="black", label=f"threshold {threshold:g}")
    _log_axes(ax, "FMR", "FNMR", xfloor, yfloor)
    ax.legend(loc="lower left", fontsize=8)


def _identification_det(
    ax: Axes, identification: Identification, sizes: Sequence[int], threshold: float
) -> None:
    searches = identification.outcomes()
    acquired = searches.nonmated_distance[~np.isnan(searches.nonmated_distance)]
    mated = int(searches.mated_distance.size)
    ax.set_title(f"Open-set identification DET ({mated} mated, {acquired.size} non-mated searches)")
    if mated == 0 or searches.comparisons.size == 0:
        ax.text(0.5, 0.5, "needs mated and non-mated searches", ha="center", transform=ax.transAxes)
        return
    values = np.concatenate([searches.mated_distance, acquired, searches.comparisons])
    thresholds = np.unique(values[~np.isnan(values)])
    points = [identification_at(searches, float(t)) for t in thresholds]
    fnir_raw = as_floats([p.fnir.value or 0.0 for p in points])
    fnir, yfloor = _floored(fnir_raw, mated)
    curves: list[tuple[str, Floats, int, str]] = []
    if acquired.size:
        fpir = as_floats([p.fpir.value or 0.0 for p in points])
        low, high = identification.watchlist_sizes()
        sizes_seen = f"{low}" if low == high else f"{low}-{high}"
        curves.append((f"measured (watchlist of {sizes_seen})", fpir, acquired.size, NONMATED))
    comparisons = int(searches.comparisons.size)
    for size, colour in zip(sizes, SCALED, strict=False):
        scaled = as_floats([fpir_from_fmr(p.fmr.value or 0.0, size) for p in points])
        curves.append((f"scaled to {size:,} entries", scaled, comparisons, colour))
    xfloor = min(0.5 / max(n, 1) for _, _, n, _ in curves)
    at = int(np.searchsorted(thresholds, threshold, side="right")) - 1
    for number, (label, xs, _, colour) in enumerate(curves):
        x = np.where(xs > 0, xs, xfloor)
        style = ("-", "--", ":", "-.")[number % 4]  # curves often coincide: keep each visible
        ax.step(x, fnir, where="post", color=colour, label=label, linestyle=style, linewidth=2)
        if at >= 0:
            ax.plot([x[at]], [fnir[at]], "o", color=colour)
    ax.plot([], [], "o", color="black", label=f"threshold {threshold:g}")
    _log_axes(ax, "FPIR", "FNIR", xfloor, yfloor)
    ax.legend(loc="lower left", fontsize=8)


def score_figure(
    pairs: PairScores | None, identification: Identification | None, threshold: float
) -> bytes:
    """Histograms of distances: mated against non-mated pairs, and rank-1 distances of mated
    (right person) against non-mated searches, with the threshold."""
    figure = Figure(figsize=(12.0, 4.5))
    left, right = figure.subplots(1, 2)
    if pairs is not None:
        _histogram(
            left,
            "Verification: distance of each pair",
            [
                (pairs.mated, f"mated pairs ({pairs.mated.size})", MATED),
                (pairs.nonmated, f"non-mated pairs ({pairs.nonmated.size})", NONMATED),
            ],
            threshold,
        )
    else:
        left.set_axis_off()
    if identification is not None:
        searches = identification.outcomes()
        correct = searches.mated_distance[searches.mated_correct]
        nonmated = searches.nonmated_distance[~np.isnan(searches.nonmated_distance)]
        _histogram(
            right,
            "Identification: rank-1 distance of each search",
            [
                (correct, f"mated, right person ({correct.size})", MATED),
                (nonmated, f"non-mated ({nonmated.size})", NONMATED),
            ],
            threshold,
        )
    else:
        right.set_axis_off()
    return _png(figure)


def _histogram(
    ax: Axes, title: str, series: list[tuple[Floats, str, str]], threshold: float
) -> None:
    values = np.concatenate([s for s, _, _ in series]) if series else np.zeros(0)
    values = values[~np.isnan(values)]
    top = max(1.2, float(values.max()) if values.size else 0.0)
    bins = np.linspace(0.0, top, 49)
    for data, label, colour in series:
        data = data[~np.isnan(data)]
        ax.hist(data, bins=bins.tolist(), alpha=0.55, color=colour, label=label)
    ax.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:g}")
    ax.set_title(title)
    ax.set_xlabel("descriptor distance (lower = more alike; match if <= threshold)")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)


def threshold_figure(
    identification: Identification,
    sizes: Sequence[int],
    threshold: float,
    target: tuple[float, int] | None = None,
) -> bytes:
    """Rates against the threshold with their 95% intervals: TPIR and measured FPIR (left);
    FPIR scaled to larger watchlists, point estimate and upper bound (right), with the
    calibration target."""
    searches = identification.outcomes()
    grid = np.round(np.arange(0.30, 0.8001, 0.005), 4)
    points = [identification_at(searches, float(t)) for t in grid]
    figure = Figure(figsize=(12.0, 4.5))
    left, right = figure.subplots(1, 2)
    for name, colour, rates in (
        ("TPIR", MATED, [p.tpir for p in points]),
        ("FPIR (measured)", NONMATED, [p.fpir for p in points]),
    ):
        if not rates[0].trials:
            continue
        values = as_floats([r.value or 0.0 for r in rates])
        low = as_floats([(r.interval or (0.0, 0.0))[0] for r in rates])
        high = as_floats([(r.interval or (0.0, 0.0))[1] for r in rates])
        left.plot(grid, values, color=colour, label=f"{name} ({rates[0].trials} searches)")
        left.fill_between(grid, low, high, color=colour, alpha=0.2)
    left.axvline(threshold, color="black", linestyle="--", label=f"threshold {threshold:g}")
    left.set_ylim(-0.02, 1.02)
    left.set_xlabel("threshold (distance)")
    left.set_ylabel("rate (band: 95% Clopper-Pearson)")
    left.set_title("Identification rates by threshold")
    left.legend(fontsize=8, loc="center left")
    left.grid(True, alpha=0.3)
    floor = 1e-9
    for size, colour in zip(sizes, SCALED, strict=False):
        scaled = [scaled_fpir(p.fmr, size) for p in points]
        if scaled[0].value is None:
            continue
        value = as_floats([max(s.value or 0.0, floor) for s in scaled])
        upper = as_floats([max((s.interval or (0.0, 0.0))[1], floor) for s in scaled])
        right.plot(grid, value, color=colour, label=f"{size:,} entries: estimate")
        right.plot(grid, upper, color=colour, linestyle=":", label=f"{size:,} entries: 95% upper")
    if target is not None:
        right.axhline(target[0], color="grey", linestyle="-.", label=f"target at {target[1]:,}")
    right.axvline(threshold, color="black", linestyle="--")
    right.set_yscale("log")
    right.set_ylim(floor / 2, 1.5)
    right.set_xlabel("threshold (distance)")
    right.set_ylabel(f"FPIR, 1 - (1 - FMR)^N (0 drawn at {floor:g})")
    right.set_title(f"FPIR scaled from {searches.comparisons.size} non-mated comparisons")
    right.legend(fontsize=8, loc="lower right")
    right.grid(True, which="both", alpha=0.3)
    return _png(figure)
