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


def per_backend(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Runs grouped by embedder backend, in the order they ran ("" for an older results.json)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault(run.get("backend", ""), []).append(run)
    return groups


def tagged(goal: str, backend: str) -> str:
    return f"{backend}: {goal}" if backend else goal


def streams_goals(realtime: dict[str, Any], backend: str) -> list[Goal]:
    """The several-streams runs (labels "N streams: camK"): capacity, then drops at pace."""
    multi = [r for r in per_backend(realtime["runs"]).get(backend, []) if "streams" in r["label"]]
    capacity = [
        r for r in per_backend(realtime.get("capacity", [])).get(backend, [])
        if "streams" in r["label"]
    ]  # fmt: skip
    if not multi:
        return []
    rows: list[Goal] = []
    fps = realtime["fps"]
    if capacity:
        worst_fps = min(r["fps"] for r in capacity)
        rows.append(
            goal_row(
                tagged(f"{len(multi)} x 720p streams at once: capacity >= {fps:.0f} fps"
                       " a stream (unpaced, every frame)", backend),
                f"slowest stream {worst_fps:.1f} fps",
                worst_fps >= fps,
            )
        )  # fmt: skip
    read = sum(r["frames_read"] for r in multi)
    dropped = sum(r["frames_dropped"] for r in multi)
    rows.append(
        goal_row(
            tagged(f"{len(multi)} x 720p {fps:.0f} fps streams played at real-time"
                   " pace with no frame dropped", backend),
            f"{read - dropped}/{read} frames processed ({100.0 * dropped / max(read, 1):.0f}%"
            " dropped)",
            dropped == 0,
        )
    )  # fmt: skip
    return rows


def latency_goals(realtime: dict[str, Any], backend: str) -> list[Goal]:
    runs = per_backend(realtime["runs"]).get(backend, [])
    latencies = [a["latency_ms"] for r in runs for a in r["alerts"]]
    if not latencies:
        return []
    return [
        goal_row(
            tagged("frame-to-alert latency p95 < 500 ms (realtime runs)", backend),
            f"{len(latencies)} alerts: " + ", ".join(f"{x:.0f}" for x in latencies) + " ms",
            max(latencies) < 500.0,  # only 2-3 samples a run: their maximum stands for p95
        )
    ]


def realtime_goals(realtime: dict[str, Any]) -> list[Goal]:
    rows: list[Goal] = []
    for backend in per_backend(realtime["runs"]):
        rows += streams_goals(realtime, backend) + latency_goals(realtime, backend)
    return rows


def embedder_goals(embedders: dict[str, Any]) -> list[Goal]:
    rows = [
        goal_row(
            "descriptor >= 10x faster than dlib (onnx-resnet, one face, one thread)",
            f"{embedders['speedup_one_face']:.1f}x ({embedders['dlib_ms_per_face']:.1f} ms"
            f" -> {embedders['onnx_ms_per_face']:.2f} ms a face); largest difference"
            f" {embedders['max_abs_diff']:.1e} over {embedders['faces_compared']} faces",
            embedders["speedup_one_face"] >= 10.0,
        )
    ]
    for run in embedders.get("enrolment", []):
        if run.get("mode", "parallel") != "parallel":
            continue  # the sequential run is the "before" beside it, not the goal
        rows.append(
            goal_row(
                f"{run['backend']}: enrolling 16,000 photos projected under 15 minutes",
                f"{run['minutes_for_16000']:.0f} min ({run['photos_per_s']:.1f} photos/s over"
                f" {run['photos']} photos)",
                run["minutes_for_16000"] < 15.0,
            )
        )
    return rows


def crowd_goals(crowd: dict[str, Any]) -> list[Goal]:
    sizes = sorted({r["crowd"] for r in crowd["runs"]})
    return [
        goal_row(
            f"{backend}: largest crowd held in real time (< 5% of frames dropped or late)"
            " >= 20 faces",
            f"{held} faces" if held else f"none of {', '.join(map(str, sizes))}",
            held >= 20,
        )
        for backend, held in crowd["largest_held"].items()
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
        rows += realtime_goals(realtime)
    rows += search_goals(results.get("search") or [])
    if results.get("embedders"):
        rows += embedder_goals(results["embedders"])
    if results.get("crowd"):
        rows += crowd_goals(results["crowd"])
    return rows
