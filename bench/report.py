"""The report: results.md (the goals table, then a table per section that ran), built from
the results dict (the content of results.json) so that an old results.json can be re-rendered."""

from __future__ import annotations

from typing import Any

from common import EXAMPLE_TOLERANCE, TRUE_SUBJECT
from detectors_report import detectors_table
from goals import Goal
from records import AlertRecord, IdentityHits
from report_scaling import carried, crowd_tables, embedders_table
from search_bench import SEARCH_BATCH


def fmt_alerts(alerts: list[AlertRecord], latency: bool = False) -> str:
    if not alerts:
        return "none"
    parts = []
    for a in alerts:
        text = f"{a.subject} f{a.frame} t={a.time_s:.2f}s d={a.distance:.3f}"
        if latency:
            text += f" latency {a.latency_ms:.0f} ms"
        parts.append(text)
    return "; ".join(parts)


def fmt_hits(hits: list[IdentityHits]) -> str:
    if not hits:
        return "none"
    return "; ".join(
        f"{h.identity} ({h.frames} fr, first f{h.first_frame} t={h.first_time_s:.2f}s,"
        f" min d={h.min_distance:.3f})"
        for h in hits
    )


def fmt_stages(stages: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in stages.items())


def alerts_of(run: dict[str, Any]) -> list[AlertRecord]:
    return [AlertRecord(**a) for a in run["alerts"]]


def run_name(run: dict[str, Any]) -> str:
    """The run's label, after its embedder backend when it has one."""
    backend = run.get("backend", "")
    return f"{backend}, {run['label']}" if backend else run["label"]


# --------------------------------------------------------------------------- markdown


def machine_lines(m: dict[str, Any]) -> list[str]:
    cpu = m.get("cpu_during_run", {})
    return [
        f"Measured {m['date']} on {m['nproc']} cores, {m['cpu_model']}"
        f" (AVX-512: {'yes' if m['avx512f'] else 'no'}), load average at start"
        f" {m['loadavg_at_start'][0]}; dlib {m['dlib']} (BLAS: {m['dlib_use_blas']}),"
        f" face_recognition {m.get('face_recognition', '?')},"
        f" OpenCV {m['opencv']}, Python {m['python']}, lfr {m['lfr_commit']}."
        f" CPU during the run: {cpu.get('busy_pct', '?')}% busy,"
        f" {cpu.get('steal_pct', '?')}% stolen by the hypervisor.{load_line(m)}",
        "",
    ]


def load_line(m: dict[str, Any]) -> str:
    """The 1-minute load average at each section's start and at the end (another process
    running tests on the same 2 cores shows here)."""
    sections = m.get("loadavg_at_section") or {}
    if not sections:
        return ""
    parts = [f"{name} {load[0]}" for name, load in sections.items()]
    end = m.get("loadavg_at_end")
    if end:
        parts.append(f"end {end[0]}")
    return " Load average (1 min) at the start of each section: " + ", ".join(parts) + "."


def goal_lines(rows: list[Goal]) -> list[str]:
    if not rows:
        return []
    lines = ["| goal | measured | verdict |", "|---|---|---|"]
    lines += [f"| {r['goal']} | {r['measured']} | **{r['verdict']}** |" for r in rows]
    return [*lines, ""]


def offline_row(label: str, run: dict[str, Any]) -> str:
    if label == "baseline":
        alerts = (
            f"no alert logic; frames matched at {run['tolerance']}: "
            f"{fmt_hits([IdentityHits(**h) for h in run['matches']])}"
        )
        name = "face_recognition loop (baseline)"
    else:
        alerts = fmt_alerts(alerts_of(run))
        backend = run.get("backend", "")
        name = f"lfr ({label}{', ' + backend if backend else ''})"
    return (
        f"| {name} | {run['frames']} | {run['wall_s']:.1f} | **{run['fps']:.1f}** |"
        f" {fmt_stages(run['stage_ms'])} | {alerts} |"
    )


def offline_table(offline: dict[str, Any]) -> list[str]:
    """The runs in the order they ran: lfr run 1, the baseline, the other lfr runs."""
    base = offline.get("baseline")
    runs = offline["lfr"]
    lines = [
        f"### Same clip, offline ({offline['clip']}, {offline['clip_frames']} frames)",
        "",
        "| run | frames | wall s | frames/s | ms a frame by stage | alerts |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(offline_row(run["label"], run))
        if base and run is runs[0]:
            lines.append(offline_row("baseline", base))
    return [*lines, ""]


def cli_line(cli: dict[str, Any]) -> str:
    alerts = ", ".join(
        f"{a['subject']} f{a['frame']} t={a['time_s']:.2f}s d={a['distance']:.3f}"
        for a in cli["alerts"]
    )
    return (
        f"- `{cli['command']}` (child process, exit {cli['exit_code']}):"
        f" {cli['wall_s']:.1f} s in all (start-up, model loading and enrolment included);"
        f" its summary line: {cli['summary'].get('frames', '?')} frames at"
        f" {cli['summary'].get('fps', '?')} frames/s; alerts: {alerts or 'none'}."
    )


def offline_notes(offline: dict[str, Any]) -> list[str]:
    base = offline.get("baseline")
    verdict = offline["verdict"]
    lines = []
    if base:
        lines.append(
            f"- lfr / baseline frames per second: **{verdict['speedup']:.1f}x** (mean of the"
            f" lfr runs; range {verdict['speedup_min']:.1f}x-{verdict['speedup_max']:.1f}x;"
            f" goal >= 5x: {'met' if verdict['speedup_goal_met'] else 'NOT met'})."
        )
        lines.append(
            f"- Baseline at the example's own tolerance {EXAMPLE_TOLERANCE}: "
            f"{fmt_hits([IdentityHits(**h) for h in base['matches_at_example_tolerance']])}."
        )
    if offline.get("cli"):
        lines.append(cli_line(offline["cli"]))
    lines.append(
        f"- lfr alerts exactly [{TRUE_SUBJECT}] in every run, no other alert:"
        f" **{'yes' if verdict['lfr_alerts_ok'] else 'NO'}**."
    )
    return [*lines, ""]


def realtime_table(realtime: dict[str, Any]) -> list[str]:
    lines = [
        f"### 720p at real-time pace ({realtime['clip']}, 1280x720, {realtime['fps']:.0f}"
        f" fps, {realtime['clip_frames']} frames = {realtime['clip_s']:.1f} s)",
        "",
        "| run | read | processed | dropped | processed/s (of "
        f"{realtime['fps']:.0f}) | frame age at pickup p50/p95 ms | alerts (latency frame"
        " to alert) |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in realtime["runs"]:
        dropped_pct = 100.0 * run["frames_dropped"] / max(run["frames_read"], 1)
        age = run["pickup_age_ms"]
        lines.append(
            f"| {run_name(run)} | {run['frames_read']} | {run['frames']}{carried(run)} |"
            f" {run['frames_dropped']} ({dropped_pct:.0f}%) |"
            f" {run['frames'] / realtime['clip_s']:.1f} |"
            f" {age.get('p50', 0):.0f} / {age.get('p95', 0):.0f} |"
            f" {fmt_alerts(alerts_of(run), latency=True)} |"
        )
    return [*lines, ""]


def capacity_table(capacity: list[dict[str, Any]] | None) -> list[str]:
    if not capacity:
        return []
    lines = [
        "Capacity at 720p, unpaced (every frame, as fast as possible):",
        "",
        "| run | frames | frames/s | ms a frame by stage | alerts |",
        "|---|---|---|---|---|",
    ]
    for run in capacity:
        lines.append(
            f"| {run_name(run)} | {run['frames']} | **{run['fps']:.1f}** |"
            f" {fmt_stages(run['stage_ms'])} |"
            f" {fmt_alerts(alerts_of(run))} |"
        )
    return [*lines, ""]


def search_table(search: list[dict[str, Any]]) -> list[str]:
    lines = [
        "### Exact watchlist search (lfr.match.index.ExactIndex, 128-d, one probe a call)",
        "",
        "| templates | BLAS threads | median ms a probe | p95 ms"
        f" | {SEARCH_BATCH} probes a call, ms a probe | same as brute force |",
        "|---|---|---|---|---|---|",
    ]
    for s in search:
        lines.append(
            f"| {s['templates']:,} | {s['blas_threads']} | **{s['median_ms']:.3f}** |"
            f" {s['p95_ms']:.3f} |"
            f" {s['batch_per_probe_ms']:.4f} |"
            f" {'yes' if s['agrees_with_bruteforce'] else 'NO'} |"
        )
    return [*lines, ""]


def markdown(results: dict[str, Any]) -> str:
    """results.md: the machine, the goals, then a table per section that ran."""
    lines = machine_lines(results["machine"]) + goal_lines(results.get("goals") or [])
    offline = results.get("offline")
    if offline:
        lines += offline_table(offline) + offline_notes(offline)
    realtime = results.get("realtime_720p")
    if realtime:
        lines += realtime_table(realtime) + capacity_table(realtime.get("capacity"))
    search = results.get("search")
    if search:
        lines += search_table(search)
    if results.get("embedders"):
        lines += embedders_table(results["embedders"])
    if results.get("crowd"):
        lines += crowd_tables(results["crowd"])
    if results.get("detectors"):
        lines += detectors_table(results["detectors"])
    return "\n".join(lines)
