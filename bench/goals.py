"""The goals of ../shared/guide/performance.md: each one, what this run measured, met or not.

Read from the results dict (the content of results.json), like the report.
"""

from __future__ import annotations

from typing import Any

from common import TRUE_SUBJECT

Goal = dict[str, str]


def goal_row(goal: str, measured: str, met: bool | None) -> Goal:
    verdict = "n/a" if met is None else ("met" if met else "NOT met")
    return {"goal": goal, "measured": measured, "verdict": verdict}


def offline_goals(offline: dict[str, Any]) -> list[Goal]:
    rows: list[Goal] = []
    verdict = offline.get("verdict", {})
    if "speedup" in verdict:
        rows.append(
            goal_row(
                ">= 5x the baseline's frames/s, same clip, same run",
                f"{verdict['speedup']:.1f}x (lfr runs {verdict['speedup_min']:.1f}x"
                f"-{verdict['speedup_max']:.1f}x)",
                bool(verdict["speedup_goal_met"]),
            )
        )
    if offline:
        seen = [f"{r['label']}: {[a['subject'] for a in r['alerts']]}" for r in offline["lfr"]]
        ok = bool(verdict.get("lfr_alerts_ok"))
        if offline.get("cli"):
            seen.append(f"`lfr run`: {[a['subject'] for a in offline['cli']['alerts']]}")
            ok = ok and bool(verdict.get("cli_alerts_ok"))
        rows.append(
            goal_row(f"the true alert ({TRUE_SUBJECT}) and no false one", "; ".join(seen), ok)
        )
    return rows


def streams_goals(realtime: dict[str, Any]) -> list[Goal]:
    """The several-streams runs (labels "N streams: camK"): capacity, then drops at pace."""
    multi = [r for r in realtime["runs"] if "streams" in r["label"]]
    capacity = [r for r in realtime.get("capacity", []) if "streams" in r["label"]]
    if not multi:
        return []
    rows: list[Goal] = []
    fps = realtime["fps"]
    if capacity:
        worst_fps = min(r["fps"] for r in capacity)
        rows.append(
            goal_row(
                f"{len(multi)} x 720p streams at once: capacity >= {fps:.0f} fps"
                " a stream (unpaced, every frame)",
                f"slowest stream {worst_fps:.1f} fps",
                worst_fps >= fps,
            )
        )
    read = sum(r["frames_read"] for r in multi)
    dropped = sum(r["frames_dropped"] for r in multi)
    rows.append(
        goal_row(
            f"{len(multi)} x 720p {fps:.0f} fps streams played at real-time"
            " pace with no frame dropped",
            f"{read - dropped}/{read} frames processed ({100.0 * dropped / max(read, 1):.0f}%"
            " dropped)",
            dropped == 0,
        )
    )
    return rows


def latency_goals(realtime: dict[str, Any]) -> list[Goal]:
    latencies = [a["latency_ms"] for r in realtime["runs"] for a in r["alerts"]]
    if not latencies:
        return []
    return [
        goal_row(
            "frame-to-alert latency p95 < 500 ms (realtime runs)",
            f"{len(latencies)} alerts: " + ", ".join(f"{x:.0f}" for x in latencies) + " ms",
            max(latencies) < 500.0,  # only 2-3 samples a run: their maximum stands for p95
        )
    ]


def search_goals(search: list[dict[str, Any]]) -> list[Goal]:
    return [
        goal_row(
            f"exact search over 10,000 templates < 1 ms a probe (BLAS threads:"
            f" {row['blas_threads']})",
            f"median {row['median_ms']:.3f} ms, p95 {row['p95_ms']:.3f} ms",
            row["p95_ms"] < 1.0,
        )
        for row in search
        if row["templates"] == 10_000
    ]


def goals(results: dict[str, Any]) -> list[Goal]:
    """Each goal of ../shared/guide/performance.md, what this run measured, whether it was met."""
    rows = offline_goals(results.get("offline") or {})
    realtime = results.get("realtime_720p")
    if realtime:
        rows += streams_goals(realtime) + latency_goals(realtime)
    return rows + search_goals(results.get("search") or [])
