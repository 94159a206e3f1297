"""Write the report: ``report.json`` for machines, ``report.html`` for people (self-contained,
figures embedded as base64 PNG), and the figures as PNG files beside them."""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

from lfr.evaluate.evaluation import EvaluationResult

JSON_NAME = "report.json"
HTML_NAME = "report.html"


def write_report(result: EvaluationResult, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {"json": out / JSON_NAME, "html": out / HTML_NAME}
    written["json"].write_text(to_json(result.report), encoding="utf-8")
    written["html"].write_text(render_html(result), encoding="utf-8")
    for name, png in result.figures.items():
        path = out / name
        path.write_bytes(png)
        written[name] = path
    return written


def to_json(report: dict[str, object]) -> str:
    return json.dumps(_finite(report), indent=2, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: an undefined number is null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


# --- formatting -----------------------------------------------------------------------------


def pct(value: float | None) -> str:
    if value is None:
        return "undefined"
    if value == 0.0:
        return "0%"
    if value >= 0.01 or value == 1.0:
        return f"{100 * value:.1f}%"
    return f"{100 * value:.2g}%"


def fmt_rate(rate: dict[str, Any] | None) -> str:
    """``87.5% [61.7%, 98.4%] (14/16)``; undefined with no trials."""
    if rate is None or not rate["trials"]:
        return "undefined (no trials)"
    low, high = rate["ci95"]
    return f"{pct(rate['value'])} [{pct(low)}, {pct(high)}] ({rate['count']}/{rate['trials']})"


def fmt_scaled(scaled: dict[str, Any]) -> str:
    if scaled["value"] is None:
        return "undefined"
    low, high = scaled["ci95"]
    one_in = scaled["one_in"]
    words = f" (1 in {one_in:,.0f})" if one_in else ""
    return f"{pct(scaled['value'])}{words} [{pct(low)}, {pct(high)}]"


def fmt_eer(eer: dict[str, Any] | None) -> str:
    if eer is None:
        return "undefined (needs mated and non-mated pairs)"
    return f"{pct(eer['value'])} at distance {eer['threshold']:.3f}"


def headline_lines(report: dict[str, Any]) -> list[str]:
    """A few lines for the terminal."""
    h = report["headline"]
    lines = [
        f"data set: {h['identities']} identities, {h['images']} photos"
        f" (fingerprint {report['dataset']['fingerprint']['sha256'][:16]})",
        f"threshold {h['threshold']:g} (distance; match if <=):",
    ]
    if "tpir" in h:
        low, high = h["watchlist_size"]
        size = f"{low}" if low == high else f"{low}-{high}"
        lines += [
            f"  TPIR {fmt_rate(h['tpir'])}",
            f"  FNIR {fmt_rate(h['fnir'])}",
            f"  FPIR {fmt_rate(h['fpir'])} (watchlist of {size})",
        ]
        lines += [
            f"  FPIR scaled to {s['watchlist_size']:,}: {fmt_scaled(s)}" for s in h["scaled_fpir"]
        ]
    lines += [
        f"  verification FMR {fmt_rate(h['fmr'])}, FNMR {fmt_rate(h['fnmr'])}",
        f"  EER {fmt_eer(h['eer'])}",
    ]
    calibration = report.get("calibration")
    if calibration:
        threshold = calibration["threshold"]
        lines.append(
            f"calibration for FPIR 1 in {calibration['target_one_in']:,.0f} at"
            f" {calibration['watchlist_size']:,}: {calibration['verdict']}"
            + (f" (point estimate threshold {threshold:.3f})" if threshold is not None else "")
        )
    video = report.get("video")
    if video:
        for row in video["results"]:
            if row["threshold"] == h["threshold"]:
                lines.append(
                    f"video {video['clip']} at {row['rule']}: {row['true_alerts']} true,"
                    f" {row['false_alerts']} false alerts, missed {row['people_missed'] or 'none'}"
                )
    lines += [f"warning: {w}" for w in report["warnings"]]
    return lines


# --- HTML -----------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.warn{background:#fff4e5;border-left:4px solid #e08214;padding:.5em 1em}
code,pre{background:#f6f6f6;font-size:90%}pre{padding:.5em;overflow:auto}
img{max-width:100%}.muted{color:#666}
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def render_html(result: EvaluationResult) -> str:
    r: dict[str, Any] = result.report
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>OpenLFR accuracy evaluation</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>OpenLFR accuracy and equitability evaluation</h1>",
        f"<p class='muted'>Created {_e(r['created_utc'])} by lfr {_e(r['software']['lfr'])}."
        f" {_e(r['decision_rule'])}. {_e(r['confidence'])}.</p>",
        _headline_html(r),
        _warnings_html(r),
        _tested_html(r),
        _verification_html(r),
        _identification_html(r),
        "<h2>DET curves</h2>",
        _img(result.figures.get("det.png"), "DET curves"),
        "<h2>Score distributions</h2>",
        _img(result.figures.get("scores.png"), "distance histograms, mated and non-mated"),
        _calibration_html(r),
        _img(result.figures.get("thresholds.png"), "rates by threshold"),
        _equitability_html(r),
        _video_html(r),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p)


def _headline_html(r: dict[str, Any]) -> str:
    h = r["headline"]
    rows = [
        ["data set", f"{h['identities']} identities, {h['images']} photos"],
        ["threshold (distance)", f"{h['threshold']:g}"],
    ]
    if "tpir" in h:
        low, high = h["watchlist_size"]
        rows += [
            ["TPIR", fmt_rate(h["tpir"])],
            ["FNIR", fmt_rate(h["fnir"])],
            [f"FPIR (watchlist of {low}-{high})", fmt_rate(h["fpir"])],
            ["wrong person at rank 1 (mated)", fmt_rate(h["misidentification"])],
        ]
        rows += [
            [f"FPIR scaled to {s['watchlist_size']:,}", fmt_scaled(s)] for s in h["scaled_fpir"]
        ]
    rows += [
        ["verification FMR", fmt_rate(h["fmr"])],
        ["verification FNMR", fmt_rate(h["fnmr"])],
        ["EER", fmt_eer(h["eer"])],
    ]
    return "<h2>Headline</h2>" + _table(["measure", "value [95% CI] (count)"], rows)


def _warnings_html(r: dict[str, Any]) -> str:
    if not r["warnings"]:
        return ""
    items = "".join(f"<li>{_e(w)}</li>" for w in r["warnings"])
    return f"<div class='warn'><strong>Read with care</strong><ul>{items}</ul></div>"


def _tested_html(r: dict[str, Any]) -> str:
    d = r["dataset"]
    c = r["embedding_contract"]
    failures = d["failures_to_acquire"]
    rows = [
        ["data set", f"{d['path']} ({d['kind']})"],
        ["fingerprint (SHA-256)", d["fingerprint"]["sha256"]],
        ["fingerprint method", d["fingerprint"]["method"]],
        ["identities", str(d["identities"])],
        ["photos", f"{d['images']} ({d['unknown_images']} in unknown/), {d['acquired']} acquired"],
        [
            "failures to acquire",
            ", ".join(f"{f['file']}: {f['reason']}" for f in failures) or "none",
        ],
        [
            "files skipped",
            ", ".join(f"{f['file']}: {f['reason']}" for f in d["skipped_files"]) or "none",
        ],
        [
            "other inputs (SHA-256)",
            ", ".join(f"{k} {v}" for k, v in d["inputs_sha256"].items()) or "none",
        ],
        ["model", c["model_id"]],
        ["weights SHA-256", c["weights_sha256"]],
        ["dimension, metric", f"{c['dimension']}, {c['metric']}"],
        ["preprocessing", c["preprocessing"]],
        ["photo path", r["photo_path"]],
        ["software", ", ".join(f"{k} {v}" for k, v in r["software"].items())],
    ]
    config = json.dumps(r["engine_config"], indent=1)
    return (
        "<h2>What was tested</h2>"
        + _table(["", ""], rows)
        + f"<details><summary>engine settings</summary><pre>{_e(config)}</pre></details>"
    )


def _verification_html(r: dict[str, Any]) -> str:
    v = r["verification"]
    rows = [
        [f"{x['threshold']:g}", fmt_rate(x["fmr"]), fmt_rate(x["fnmr"])] for x in v["by_threshold"]
    ]
    return (
        "<h2>Verification (1:1)</h2>"
        f"<p>{v['mated_pairs']} mated and {v['nonmated_pairs']} non-mated pairs;"
        f" {v['pairs_not_compared_failure_to_acquire']} pairs not compared (failure to"
        f" acquire), {v['pairs_left_out_relationship_unknown']} left out (two unknown/ photos"
        f" whose relationship is not known). EER {_e(fmt_eer(v['eer']))}"
        f" ({_e(v['eer_method'])}).</p>" + _table(["threshold", "FMR", "FNMR"], rows)
    )


def _identification_html(r: dict[str, Any]) -> str:
    i = r["identification"]
    if not i:
        return ""
    sizes = [s["watchlist_size"] for s in i["by_threshold"][0]["scaled_fpir"]]
    header = ["threshold", "TPIR", "FNIR", "wrong person (mated)", "FPIR", "FMR per comparison"]
    header += [f"FPIR at {n:,}" for n in sizes]
    rows = [
        [
            f"{x['threshold']:g}",
            fmt_rate(x["tpir"]),
            fmt_rate(x["fnir"]),
            fmt_rate(x["misidentification"]),
            fmt_rate(x["fpir"]),
            fmt_rate(x["fmr_per_comparison"]),
        ]
        + [fmt_scaled(s) for s in x["scaled_fpir"]]
        for x in i["by_threshold"]
    ]
    low, high = i["watchlist_size"]
    return (
        "<h2>Open-set identification (1:N)</h2>"
        f"<p>{_e(i['protocol'])}. Rotations: {i['rotations']}. Watchlist of {low}-{high}"
        f" entries. {i['mated_searches']} mated searches ({i['mated_failures_to_acquire']}"
        f" failed to acquire, counted as misses), {i['nonmated_searches']} non-mated searches"
        f" ({i['nonmated_failures_to_acquire']} failed to acquire, left out of FPIR),"
        f" {i['nonmated_comparisons']} non-mated comparisons. Failed to enrol:"
        f" {_e(', '.join(i['failed_to_enrol']) or 'none')}.</p>"
        f"<p><strong>Scaling.</strong> {_e(i['scaling'])}.</p>" + _table(header, rows)
    )


def _calibration_html(r: dict[str, Any]) -> str:
    c = r["calibration"]
    if not c:
        return ""
    t = c["threshold"]
    s = c["supported_threshold"]
    rows = [
        [
            "target",
            f"FPIR {pct(c['target_fpir'])} (1 in {c['target_one_in']:,.0f})"
            f" at {c['watchlist_size']:,} entries",
        ],
        ["per-comparison FMR needed", f"{c['fmr_needed']:.3g}"],
        ["non-mated comparisons available", f"{c['comparisons']:,}"],
        ["comparisons needed (none a false match)", f"{c['comparisons_needed']:,}"],
        ["threshold meeting it (point estimate)", "none" if t is None else f"{t:.3f}"],
        ["TPIR at that threshold", fmt_rate(c["tpir"])],
        ["threshold meeting it at the 95% upper bound", "none" if s is None else f"{s:.3f}"],
        ["TPIR at that threshold", fmt_rate(c["supported_tpir"])],
        ["verdict", f"{c['verdict']}: {c['reason']}"],
    ]
    return (
        "<h2>Threshold calibration</h2><p>The loosest threshold (in steps of 0.001) whose"
        " per-comparison FMR meets the FMR the target needs, and the TPIR it costs. A policy"
        " minimum should come only from a supported verdict.</p>" + _table(["", ""], rows)
    )


def _equitability_html(r: dict[str, Any]) -> str:
    q = r["equitability"]
    if not q:
        return ""
    groups = list(q["groups"])
    rows = [
        [f"{c['threshold']:g}", c["metric"]]
        + [fmt_rate(c["groups"][g]) for g in groups]
        + [
            c["test"] or "none",
            "-" if c["p_value"] is None else f"{c['p_value']:.3g}",
            f"{c['verdict']}: {c['reason']}",
        ]
        for c in q["comparisons"]
    ]
    members = "; ".join(f"{g}: {len(p)} people" for g, p in q["groups"].items())
    return (
        "<h2>Equitability</h2>"
        f"<p>{_e(q['method'])}</p><p>{_e(members)}. Unlabelled (left out):"
        f" {_e(', '.join(q['unlabelled_people']) or 'none')}.</p>"
        + _table(["threshold", "rate", *groups, "test", "p", "verdict"], rows)
    )


def _video_html(r: dict[str, Any]) -> str:
    v = r["video"]
    if not v:
        return ""
    rows = [
        [
            f"{x['threshold']:g}",
            x["rule"],
            str(x["true_alerts"]),
            str(x["false_alerts"]),
            ", ".join(x["people_found"]) or "none",
            ", ".join(x["people_missed"]) or "none",
            "; ".join(
                f"{a['subject']} t={a['time_s']:.2f}s d={a['distance']:.3f}" for a in x["alerts"]
            )
            or "-",
        ]
        for x in v["results"]
    ]
    truth = "; ".join(f"{a['subject']} {a['start_s']:g}-{a['end_s']:g} s" for a in v["truth"])
    return (
        "<h2>Video</h2>"
        f"<p>{_e(v['clip'])}: {v['frames']} frames, {v['tracks']} tracks,"
        f" {v['descriptors']} descriptors; watchlist of {v['watchlist_templates']} templates;"
        f" cool-down {v['cooldown_s']:g} s; an alert is true when its subject is on screen"
        f" within {v['tolerance_s']:g} s. Every row is a full run of the live pipeline."
        f" Ground truth: {_e(truth)}.</p>"
        + _table(
            [
                "threshold",
                "rule (k of n)",
                "true alerts",
                "false alerts",
                "found",
                "missed",
                "alerts",
            ],
            rows,
        )
    )
