"""crowd.png: frames processed a second and alert latency p95 against crowd size, one line per
embedder backend (needs matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COLOURS = {"dlib-resnet": "#999999", "onnx-resnet": "#2b7bba"}
LATENCY_GOAL_MS = 500.0


def by_backend(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    lines: dict[str, list[dict[str, Any]]] = {}
    for run in sorted(runs, key=lambda r: r["crowd"]):
        lines.setdefault(run["backend"], []).append(run)
    return lines


def fps_panel(axes: Any, crowd: dict[str, Any]) -> None:
    for backend, runs in by_backend(crowd["runs"]).items():
        sizes = [r["crowd"] for r in runs]
        axes.plot(sizes, [r["processed_fps"] for r in runs], "o-", label=backend,
                  color=COLOURS.get(backend))  # fmt: skip
        for r in runs:  # the share dropped (and how late the run ended), beside each point
            notes = [f"{r['dropped_pct']:.0f}% dropped"]
            if r.get("frames_carried"):  # processed, but picked up late: tracked, not searched
                notes.append(f"{r['frames_carried']} carried")
            if r.get("late_s", 0.0) >= 0.5:
                notes.append(f"{r['late_s']:.0f} s late")
            low = r["processed_fps"] < crowd["fps"] / 3  # room above the point, not below
            axes.annotate("\n".join(notes), (r["crowd"], r["processed_fps"]),
                          textcoords="offset points", xytext=(0, 8 if low else -8),
                          ha="center", va="bottom" if low else "top", fontsize=7)  # fmt: skip
    axes.axhline(crowd["fps"], linestyle="--", color="#444444", linewidth=1, label="every frame")
    axes.set_ylim(0, crowd["fps"] * 1.15)
    axes.set_ylabel("frames processed a second of the run (higher is better)")
    axes.set_title("720p 25 fps crowd at real-time pace")


def latency_panel(axes: Any, crowd: dict[str, Any]) -> None:
    from matplotlib.ticker import FuncFormatter  # matplotlib is optional: imported when drawing

    for backend, runs in by_backend(crowd["runs"]).items():
        points = [(r["crowd"], r["latency_ms"]["p95"]) for r in runs if r["latency_ms"]]
        if points:
            axes.plot(*zip(*points, strict=True), "o-", label=backend, color=COLOURS.get(backend))
    axes.axhline(LATENCY_GOAL_MS, linestyle="--", color="#444444", linewidth=1, label="goal")
    axes.set_yscale("log")  # dlib's seconds and ONNX's tenths on one axis
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    axes.yaxis.set_major_formatter(plain)
    axes.yaxis.set_minor_formatter(plain)
    axes.set_ylabel("frame-to-alert latency p95, ms, log scale (lower is better)")
    axes.set_title("Alert latency")


def save_crowd_chart(crowd: dict[str, Any], path: Path) -> bool:
    """Draw the chart; False (nothing written) without matplotlib or without runs."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display: write the file only
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    if not crowd.get("runs"):
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = sorted({r["crowd"] for r in crowd["runs"]})
    margin = 0.12 * max(sizes[-1] - sizes[0], 10)  # room for the notes beside the end points
    for axes, panel in ((left, fps_panel), (right, latency_panel)):
        panel(axes, crowd)
        axes.set_xlabel("faces in view")
        axes.set_xticks(sizes)
        axes.set_xlim(sizes[0] - margin, sizes[-1] + margin)
        axes.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
