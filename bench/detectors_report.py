"""The detectors section's tables for results.md (from its part of results.json)."""

from __future__ import annotations

from typing import Any

DETECTORS = ("dlib-hog", "dlib-mmod", "mmod-onnx")


def detectors_table(section: dict[str, Any]) -> list[str]:
    speed, clip, counted = section["speed_640"], section["clip"], section["counted"]
    lines = [
        "## Detectors (frames shrunk to 640 px wide, as the engine does)",
        "",
        "| detector | ms/frame p50 (640x360) | fps | boxed photos: recall, upsample 0 / 1"
        " | false, 0 / 1 | scenes + edge cases: found / missed / extra"
        " | clip: frames with a face, every frame / sampled |",
        "|---|---|---|---|---|---|---|",
    ]
    boxed0, boxed1 = section["boxed"]["upsample_0"], section["boxed"]["upsample_1"]
    for name in DETECTORS:
        rate, c = speed[name], counted[name]
        every = clip["every_frame"].get(name)
        sampled = clip["sampled_frames"][name]
        seen = f"{every['frames_with_face']} of {every['frames']}" if every else "-"
        lines.append(
            f"| {name} | {rate['ms_per_frame_p50']:.0f} | {rate['fps']:.1f}"
            f" | {boxed0[name]['recall']:.2f} / {boxed1[name]['recall']:.2f}"
            f" | {boxed0[name]['false']} / {boxed1[name]['false']}"
            f" | {c['found']} / {c['missed']} / {c['extra']} of {c['faces']}"
            f" | {seen} / {sampled['frames_with_face']} of {sampled['frames']} |"
        )
    one = speed.get("mmod-onnx-1-thread")
    agreement = section["agreement_onnx_vs_dlib_mmod"]
    lines += [
        "",
        f"mmod-onnx on {section['settings']['mmod_onnx_threads']} threads"
        + (f"; on one thread {one['ms_per_frame_p50']:.0f} ms/frame" if one else "")
        + f". Against dlib's MMOD on {agreement['images']} images and frames:"
        f" {agreement['count_mismatches']} with a different number of faces, smallest box IoU"
        f" {agreement['min_iou']}, largest corner difference {agreement['max_corner_px']:g} px,"
        f" largest confidence difference {agreement['max_confidence_diff']:.2g}.",
        f"Verdict: CPU default `{section['verdict']['cpu_default']}`"
        f" ({section['verdict']['reason']}).",
        "",
    ]
    return lines
