"""fps.png: frames per second, baseline against lfr, and time per stage (needs matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

CHART_STAGES: dict[str, tuple[str, ...]] = {
    "decode": ("decode",),
    "detect\n(face_locations)": ("detect", "locations"),
    "align + descriptor\n(face_encodings)": ("align+quality", "embed", "encodings"),
    "search\n(face_distance)": ("search", "match"),
}
"""The two pipelines' stage names, grouped into comparable stages for the chart."""
BASELINE_COLOUR = "#999999"
LFR_COLOUR = "#2b7bba"


def chart_stage_ms(stage_ms: dict[str, float], stage: str) -> float:
    return sum(stage_ms.get(name, 0.0) for name in CHART_STAGES[stage])


def fps_bars(axes: Any, base: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    labels = ["baseline"] + [f"lfr {r['label']}" for r in runs]
    values = [base["fps"]] + [r["fps"] for r in runs]
    bars = axes.bar(labels, values, color=[BASELINE_COLOUR] + [LFR_COLOUR] * len(runs))
    axes.bar_label(bars, fmt="%.1f")
    axes.set_ylabel("frames per second (higher is better)")
    axes.set_title("Same clip, offline, same process")


def stage_bars(axes: Any, base: dict[str, Any], lfr: dict[str, Any]) -> None:
    stages = list(CHART_STAGES)
    x = np.arange(len(stages))
    axes.bar(
        x - 0.2,
        [chart_stage_ms(base["stage_ms"], s) for s in stages],
        0.4,
        label="baseline",
        color=BASELINE_COLOUR,
    )
    axes.bar(
        x + 0.2,
        [chart_stage_ms(lfr["stage_ms"], s) for s in stages],
        0.4,
        label=f"lfr {lfr['label']}",
        color=LFR_COLOUR,
    )
    axes.set_xticks(x, stages, fontsize=8)
    axes.set_ylabel("ms per frame (lfr's detect runs on a second thread)")
    axes.set_title("Time per stage")
    axes.legend()


def save_chart(results: dict[str, Any], path: Path) -> bool:
    """Draw the chart; False (nothing written) without matplotlib or without a baseline run."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: write the file only
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    offline = results.get("offline")
    if not offline or not offline.get("baseline"):
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    fps_bars(left, offline["baseline"], offline["lfr"])
    stage_bars(right, offline["baseline"], offline["lfr"][0])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
