"""results.md tables of the embedders and crowd sections (from the results dict, as report.py)."""

from __future__ import annotations

from typing import Any

VARIANTS = (
    ("dlib", "dlib-resnet (dlib)"),
    ("onnx", "onnx-resnet (ONNX Runtime)"),
    ("onnx_batch8", "onnx-resnet, a batch of 8"),
)


def embedders_table(embedders: dict[str, Any]) -> list[str]:
    timings = embedders["timings"]
    dlib_ms = timings["dlib"]["median_ms"]
    calls = timings["dlib"]["calls"]
    lines = [
        "### Embedders: dlib's ResNet on dlib and on ONNX Runtime (same process, calls"
        f" interleaved, median of {calls})",
        "",
        "| variant | threads | faces a call | median ms a face | min-max ms | vs dlib |",
        "|---|---|---|---|---|---|",
    ]
    for key, name in VARIANTS:
        t = timings[key]
        lines.append(
            f"| {name} | {t['threads']} | {t['faces_a_call']} | **{t['median_ms']:.2f}** |"
            f" {t['min_ms']:.2f}-{t['max_ms']:.2f} | {dlib_ms / t['median_ms']:.1f}x |"
        )
    lines += [
        "",
        f"Largest |dlib - onnx| over every element of the descriptors of"
        f" {embedders['faces_compared']} real aligned faces (every photo of faces/):"
        f" **{embedders['max_abs_diff']:.1e}**.",
        "",
    ]
    return lines + enrolment_table(embedders.get("enrolment", []))


def enrolment_table(runs: list[dict[str, Any]]) -> list[str]:
    if not runs:
        return []
    lines = [
        f"Enrolment (`enrol_watchlist`, the identity folders repeated: {runs[0]['photos']}"
        " photos; sequential = one photo after another with the full search, as before;"
        " parallel = worker threads and the quick search for large faces):",
        "",
        "| backend | mode | threads | photos | templates | seconds | CPU s | photos/s |"
        " 16,000 photos, projected | largest difference from sequential |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        mode = r.get("mode", "sequential")
        diff = f"{r.get('max_abs_diff', 0.0):.1e}" if mode == "parallel" else "-"
        lines.append(
            f"| {r['backend']} | {mode} | {r.get('workers', 1)} | {r['photos']} |"
            f" {r['templates']} | {r['seconds']:.1f} | {r.get('cpu_s', 0.0):.1f} |"
            f" **{r['photos_per_s']:.1f}** | {r['minutes_for_16000']:.0f} min | {diff} |"
        )
    return [*lines, ""]


def fmt_latency(latency: dict[str, float]) -> str:
    if not latency:
        return "no alert"
    return f"{latency['p50']:.0f} / {latency['p95']:.0f} (n={latency['n']:.0f})"


def fmt_names(names: list[str]) -> str:
    return ", ".join(names) if names else "-"


def carried(run: dict[str, Any]) -> str:
    """Frames processed but picked up late, so carried by the tracker instead of searched."""
    n = run.get("frames_carried", 0)
    return f" ({n} carried)" if n else ""


def crowd_row(r: dict[str, Any]) -> str:
    s = r["score"]
    return (
        f"| {r['crowd']} | {r['backend']} | {r['faces_in_view']:.0f} / {r['faces_visible']:.0f}"
        f" / {r['detections_per_frame']:.1f} | {r['frames']} of {r['frames_read']}"
        f"{carried(r)} |"
        f" {r['dropped_pct']:.0f}% | {r['late_s']:.1f} | **{r['processed_fps']:.1f}** |"
        f" {r['descriptors_per_s']:.0f} | {r['cpu_pct']:.0f}% | {fmt_latency(r['latency_ms'])} |"
        f" {len(s['true_alerts'])} | {len(s['false_alerts'])}"
        f"{' (' + fmt_names(s['false_alerts']) + ')' if s['false_alerts'] else ''} |"
        f" {len(s['missed'])} of {len(s['shown'])}"
        f"{' (' + fmt_names(s['missed']) + ')' if s['missed'] else ''} | {r['loadavg_1m']} |"
    )


def cast_lines(crowd: dict[str, Any]) -> list[str]:
    cast = crowd["cast"]
    enrolled = "; ".join(f"{i}: {', '.join(p)}" for i, p in cast["enrolled"].items())
    return [
        f"- Watchlisted (enrolled from): {enrolled}. Shown in the clips: "
        f"{', '.join(cast['shown'])}; shown from the very photo they were enrolled from"
        f" (their only photo): {fmt_names(cast['same_photo'])}.",
        f"- Not watchlisted: {', '.join(cast['unknown'])}.",
    ]


def crowd_tables(crowd: dict[str, Any]) -> list[str]:
    low, high = crowd["face_px"]
    seconds = crowd["clips"][0]["frames"] / crowd["fps"] if crowd["clips"] else 0.0
    held = "; ".join(f"{b}: {n or 'none'}" for b, n in crowd["largest_held"].items())
    lines = [
        f"### Crowd at real-time pace (generated {crowd['size'][0]}x{crowd['size'][1]}"
        f" {crowd['fps']:.0f} fps street clips, {seconds:.0f} s each, faces {low}-{high} px,"
        f" detection at {crowd['detect_width']} px wide)",
        "",
        "| faces in view | backend | in view / half visible / detected a frame | processed"
        " (of read) | dropped | late s | processed/s | descriptors/s | CPU (of one core) |"
        " latency p50 / p95 ms | true alerts | false alerts | missed | load 1 min |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [crowd_row(r) for r in crowd["runs"]]
    return [
        *lines,
        "",
        f"- Largest crowd held in real time (< 5% of frames dropped, and processed/s above"
        f" 95% of {crowd['fps']:.0f}): {held}.",
        *cast_lines(crowd),
        "",
        *stage_table(crowd["runs"]),
    ]


def stage_table(runs: list[dict[str, Any]]) -> list[str]:
    """Where the time goes: ms a processed frame by stage. detect runs on its own thread (with
    dlib-resnet it also waits for the GIL that the descriptor holds)."""
    lines = [
        "Crowd runs, ms a processed frame by stage (`RunSummary.stage_ms`; detect is on a"
        " second thread), and the run's wall time (it ends when the last descriptors are done):",
        "",
        "| faces in view | backend | detect | align+quality | embed | search | tracks |"
        " descriptors | wall s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        ms = r["stage_ms"]
        lines.append(
            f"| {r['crowd']} | {r['backend']} | {ms.get('detect', 0):.1f} |"
            f" {ms.get('align+quality', 0):.1f} | {ms.get('embed', 0):.1f} |"
            f" {ms.get('search', 0):.2f} | {r['tracks']} | {r['embeddings']} | {r['wall_s']:.1f} |"
        )
    return [*lines, ""]
