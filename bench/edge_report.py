"""edge.md and edge.png from the raw figures of ``edge_bench.py`` (pure: no measuring here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common import percentiles

LATENCIES = ("engine_ms", "raised_to_stored_ms", "stored_to_received_ms", "raised_to_received_ms")


def latency(alerts: list[dict[str, Any]], name: str) -> dict[str, float]:
    return percentiles([a[name] for a in alerts if a.get(name) is not None])


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    """One N: frames, drops, alerts raised / stored / received, latency percentiles."""
    rounds = run["rounds"]
    cameras = [c for r in rounds for c in r["cameras"]]
    alerts = [a for r in rounds for a in r["alerts"]]
    stored = {i for r in rounds for i in r["stored_ids"]}
    raised = set(run["raised_ids"])
    processed = sum(c["frames"] for c in cameras)
    dropped = sum(c["dropped"] for c in cameras)
    read = processed + dropped
    return {
        "nodes": run["nodes"],
        "rounds": len(rounds),
        "frames_read": read,
        "frames_processed": processed,
        "frames_dropped": dropped,
        "dropped_pct": round(100.0 * dropped / read, 1) if read else 0.0,
        "alerts_raised": len(raised),
        "alerts_stored": len(stored),
        "raised_not_stored": len(raised - stored),
        "stored_not_raised": len(stored - raised),
        "alerts_received": sum(1 for a in alerts if a["stored_to_received_ms"] is not None),
        "round_s": percentiles([r["seconds"] for r in rounds]),
        **{name: latency(alerts, name) for name in LATENCIES},
    }


def _p(figures: dict[str, float]) -> str:
    return f"{figures['p50']:g} / {figures['p95']:g}" if figures else "-"


def nodes_table(summaries: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| nodes | rounds | frames read | dropped | alerts raised / stored / received"
        " | frame -> raised p50 / p95 ms | raised -> stored | stored -> SSE client"
        " | raised -> SSE client |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        lines.append(
            f"| {s['nodes']} | {s['rounds']} | {s['frames_read']} | {s['frames_dropped']}"
            f" ({s['dropped_pct']:g}%) | {s['alerts_raised']} / {s['alerts_stored']} /"
            f" {s['alerts_received']} | {_p(s['engine_ms'])} | {_p(s['raised_to_stored_ms'])}"
            f" | {_p(s['stored_to_received_ms'])} | {_p(s['raised_to_received_ms'])} |"
        )
    return lines


def intake_table(intake: dict[str, Any]) -> list[str]:
    lines = [
        "| database | alerts | published a second | stored a second"
        " | first raised -> last stored s |",
        "|---|---|---|---|---|",
    ]
    for name, run in intake.items():
        if "skipped" in run:
            lines.append(f"| {name} | skipped: {run['skipped']} | | | |")
            continue
        lines.append(
            f"| {name} | {run['stored']} of {run['alerts']} | {run['published_per_s']:g}"
            f" | **{run['stored_per_s']:g}** | {run['stored_s']:g} |"
        )
    return lines


def machine_line(machine: dict[str, Any]) -> str:
    """Where and when; the load shows whether anything else competed for the cores."""
    line = (
        f"Measured {machine['date']} on {machine['nproc']} cores, {machine['cpu_model']}"
        f" (AVX-512: {'yes' if machine['avx512f'] else 'no'}), load average at start"
        f" {machine['loadavg_at_start'][0]}"
    )
    if machine.get("loadavg_at_end"):
        line += f", at the end {machine['loadavg_at_end'][0]}"
    if machine.get("cpu"):
        cpu = machine["cpu"]
        line += f"; CPU {cpu['busy_pct']:g}% busy, {cpu['steal_pct']:g}% stolen during the run"
    return f"{line}; Python {machine['python']}, lfr {machine['lfr_commit']}."


def render(results: dict[str, Any]) -> str:
    """The Markdown of edge.md."""
    lines = ["# Edge nodes on NATS JetStream", "", machine_line(results["machine"]), ""]
    if results.get("quick"):
        lines += ["**Quick smoke run (`--quick`): not a measurement.**", ""]
    lines += [
        "Each node on its own leaf server (`--leaf`): alerts go node → leaf JetStream → hub."
        if results.get("leaf")
        else "Each node connected to the hub directly.",
        "",
    ]
    if results.get("nodes"):
        lines += [
            "## Nodes at real-time pace (one camera a node playing the clip; p50 / p95 ms)",
            "",
            *nodes_table(results["nodes_summary"]),
            "",
            f"A round: a deployment whose cameras each play the clip once ({results['clip']});"
            " one alert for lin_manuel_miranda per camera per round. The nodes stay up"
            " between rounds.",
            "",
        ]
    if results.get("intake"):
        lines += ["## Alert intake, synthetic alerts", "", *intake_table(results["intake"]), ""]
    return "\n".join(lines)


def save_chart(summaries: list[dict[str, Any]], path: Path) -> bool:
    """Latency p50/p95 (raised -> SSE client) and frames dropped against N; False without
    matplotlib or without runs."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    if not summaries:
        return False
    nodes = [s["nodes"] for s in summaries]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, style in (("p50", "o-"), ("p95", "s--")):
        points = [
            (s["nodes"], s["raised_to_received_ms"][name])
            for s in summaries
            if s["raised_to_received_ms"]
        ]
        if points:
            left.plot(*zip(*points, strict=True), style, label=f"raised -> SSE client {name}")
    left.set_xlabel("edge nodes (one camera each)")
    left.set_ylabel("alert latency, ms")
    left.set_xticks(nodes)
    left.set_ylim(bottom=0)
    left.legend()
    left.set_title("Alert latency")
    right.bar([str(n) for n in nodes], [s["dropped_pct"] for s in summaries], color="#2b7bba")
    right.set_xlabel("edge nodes (one camera each)")
    right.set_ylabel("frames dropped, % of frames read")
    right.set_title("Frames dropped at real-time pace")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return True
