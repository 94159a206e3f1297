"""Run a whole evaluation: data set -> embeddings -> every measure -> one JSON-able report.

The report says what was tested (embedding contract, engine settings, data set fingerprint,
software versions) as well as what was measured, so that another party can repeat it.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from lfr import __version__
from lfr.evaluate import plots
from lfr.evaluate.dataset import (
    FOLDERS,
    Dataset,
    EvaluationInputError,
    fingerprint,
    load_dataset,
    read_groups,
)
from lfr.evaluate.defaults import (
    DEFAULT_RULES,
    DEFAULT_SIZES,
    DEFAULT_TARGET_FPIR,
    DEFAULT_TARGET_SIZE,
    DEFAULT_THRESHOLDS,
    TOLERANCE_S,
)
from lfr.evaluate.embeddings import Embedded, embed_dataset, failure_counts
from lfr.evaluate.equitability import ALPHA, MAX_CI_WIDTH, MIN_TRIALS, compare_groups
from lfr.evaluate.identification import Identification, run_searches
from lfr.evaluate.metrics import (
    CONFIDENCE,
    Rate,
    calibrate,
    equal_error_rate,
    identification_at,
    one_in,
    scaled_fpir,
    verification_at,
)
from lfr.evaluate.verification import PairScores, pair_scores
from lfr.evaluate.video import evaluate_video, read_truth
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.models import sha256_file
from lfr.pipeline.engine import Engine

REPORT_FORMAT = 1
SMALL = 1_000
"""Fewer mated or non-mated trials than this earns the small-set warning."""

DECISION_RULE = (
    "a comparison is a match when distance <= threshold (a tie at the threshold is a match),"
    " as in the live alert rule"
)


@dataclass(frozen=True, slots=True)
class EvaluationOptions:
    dataset: Path
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS
    watchlist_sizes: Sequence[int] = DEFAULT_SIZES
    target_fpir: float = DEFAULT_TARGET_FPIR
    target_size: int = DEFAULT_TARGET_SIZE
    groups: Path | None = None
    unknown_map: Path | None = None
    rotations: int = 1
    video: Path | None = None
    truth: Path | None = None
    rules: Sequence[tuple[int, int]] = DEFAULT_RULES
    tolerance_s: float = TOLERANCE_S
    min_group_trials: int = MIN_TRIALS
    progress: bool = True


@dataclass(slots=True)
class EvaluationResult:
    report: dict[str, object]
    figures: dict[str, bytes] = field(default_factory=dict)


def evaluate(engine: Engine, options: EvaluationOptions) -> EvaluationResult:
    if (options.video is None) != (options.truth is None):
        raise EvaluationInputError("--video and --truth go together")
    dataset = load_dataset(options.dataset, unknown_map=options.unknown_map)
    groups = read_groups(options.groups, dataset) if options.groups is not None else None
    truth = read_truth(options.truth) if options.truth is not None else None
    if options.video is not None and dataset.kind != FOLDERS:
        raise EvaluationInputError("video evaluation needs identity folders for its watchlist")
    if options.truth is not None:
        dataset.inputs["truth"] = sha256_file(options.truth)
    if options.video is not None:
        VideoFileSource(options.video).close()  # an unreadable clip fails before embedding
    threshold = engine.config.alert.threshold
    thresholds = sorted({round(float(t), 6) for t in options.thresholds} | {threshold})
    sizes = sorted(set(options.watchlist_sizes))
    print_ = fingerprint(dataset)

    embedded = embed_dataset(engine, dataset, progress=options.progress)
    pairs = pair_scores(dataset, embedded)
    ident = run_searches(embedded, options.rotations) if dataset.kind == FOLDERS else None

    warnings: list[str] = []
    report: dict[str, object] = {
        "report": "OpenLFR accuracy and equitability evaluation",
        "format_version": REPORT_FORMAT,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "software": _software(),
        "embedding_contract": {
            "model_id": engine.embedder.contract.model_id,
            "weights_sha256": engine.embedder.contract.weights_sha256,
            "dimension": engine.embedder.contract.dimension,
            "preprocessing": engine.embedder.contract.preprocessing,
            "metric": engine.embedder.contract.metric,
        },
        "engine_config": engine.config.model_dump(mode="json"),
        "photo_path": "each photo through lfr.enrol.folder.Enroller: detector at up to"
        f" {engine.config.enrol_max_side} px (no upsampling, then one step), exactly one"
        " usable face, alignment, quality gate, embedder",
        "decision_rule": DECISION_RULE,
        "confidence": f"{CONFIDENCE:.0%} two-sided Clopper-Pearson intervals on every rate",
        "dataset": _dataset_json(dataset, print_.to_json(), embedded),
        "thresholds": thresholds,
        "default_threshold": threshold,
        "verification": _verification_json(pairs, thresholds),
        "identification": None,
        "calibration": None,
        "equitability": None,
        "video": None,
        "warnings": warnings,
    }
    failures = [e for e in embedded if not e.acquired]
    if failures:
        warnings.append(
            f"{len(failures)} of {len(embedded)} photos failed to acquire (no usable face):"
            " mated ones count as misses in FNIR, non-mated ones are left out of FPIR"
        )
    if ident is not None:
        report["identification"] = _identification_json(ident, thresholds, sizes)
        calibration = calibrate(ident.outcomes(), options.target_fpir, options.target_size)
        report["calibration"] = calibration.to_json()
        _small_set_warning(ident, warnings)
        if options.rotations > 1:
            warnings.append(
                f"{options.rotations} rotations search the same photos again with other"
                " enrolment photos: the pooled trials are not independent, so the intervals"
                " are narrower than the data justify"
            )
        if groups is not None:
            report["equitability"] = _equitability_json(
                ident, groups, thresholds, options.min_group_trials
            )
    else:
        warnings.append(
            "a pairs file gives verification only: open-set identification, calibration and"
            " per-group identification rates need identity folders"
        )
    report["headline"] = _headline(report, threshold, print_.identities, len(embedded))

    figures = {
        "det.png": plots.det_figure(pairs, ident, sizes, threshold),
        "scores.png": plots.score_figure(pairs, ident, threshold),
    }
    if ident is not None:
        target = (options.target_fpir, options.target_size)
        figures["thresholds.png"] = plots.threshold_figure(ident, sizes, threshold, target)
    if options.video is not None and truth is not None:
        watchlist = Watchlist.from_templates(
            engine.embedder.contract,
            [e.template for e in embedded if e.template is not None and e.sample.enrollable],
        )
        video = evaluate_video(
            engine, options.video, truth, watchlist, thresholds, options.rules, options.tolerance_s
        )
        report["video"] = video.to_json()
    return EvaluationResult(report, figures)


def _software() -> dict[str, str]:
    versions = {
        "lfr": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
    for package in (
        "dlib-bin",
        "face_recognition_models",
        "numpy",
        "scipy",
        "opencv-python-headless",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def _dataset_json(
    dataset: Dataset, print_: dict[str, object], embedded: list[Embedded]
) -> dict[str, object]:
    people = {e.sample.person for e in embedded}
    per_identity = {p: sum(1 for e in embedded if e.sample.person == p) for p in dataset.identities}
    return {
        "path": str(dataset.root),
        "kind": dataset.kind,
        "fingerprint": print_,
        "identities": len(dataset.identities),
        "images_per_identity": per_identity,
        "unknown_images": len(dataset.unknown_samples),
        "unknown_mapped": dataset.unknown_mapped,
        "people": len(people),
        "images": len(embedded),
        "acquired": sum(e.acquired for e in embedded),
        "failures_to_acquire": [
            {"file": e.sample.relpath, "reason": e.failure} for e in embedded if not e.acquired
        ],
        "failures_by_reason": failure_counts(embedded),
        "skipped_files": [{"file": f, "reason": r} for f, r in dataset.skipped],
        "inputs_sha256": dict(dataset.inputs),
    }


def _verification_json(pairs: PairScores, thresholds: list[float]) -> dict[str, object]:
    eer = equal_error_rate(pairs.mated, pairs.nonmated)
    rows = []
    for t in thresholds:
        point = verification_at(pairs.mated, pairs.nonmated, t)
        rows.append({"threshold": t, "fmr": point.fmr.to_json(), "fnmr": point.fnmr.to_json()})
    return {
        "mated_pairs": int(pairs.mated.size),
        "nonmated_pairs": int(pairs.nonmated.size),
        "pairs_not_compared_failure_to_acquire": pairs.not_compared,
        "pairs_left_out_relationship_unknown": pairs.unknown_relationship,
        "eer": None if eer is None else {"value": eer.value, "threshold": eer.threshold},
        "eer_method": "FMR and FNMR swept over every pair distance; linear interpolation"
        " between the two sweep points around their crossing",
        "closest_nonmated_distance": float(pairs.nonmated.min()) if pairs.nonmated.size else None,
        "farthest_mated_distance": float(pairs.mated.max()) if pairs.mated.size else None,
        "by_threshold": rows,
    }


def _identification_json(
    ident: Identification, thresholds: list[float], sizes: list[int]
) -> dict[str, object]:
    searches = ident.outcomes()
    low, high = ident.watchlist_sizes()
    rows = []
    for t in thresholds:
        point = identification_at(searches, t)
        rows.append(
            {
                "threshold": t,
                "tpir": point.tpir.to_json(),
                "fnir": point.fnir.to_json(),
                "misidentification": point.misidentification.to_json(),
                "fpir": point.fpir.to_json(),
                "fpir_one_in": one_in(point.fpir.value),
                "fmr_per_comparison": point.fmr.to_json(),
                "scaled_fpir": [scaled_fpir(point.fmr, n).to_json() for n in sizes],
            }
        )
    mated = [s for s in ident.searches if s.mated]
    nonmated = [s for s in ident.searches if not s.mated]
    return {
        "protocol": "per rotation: one enrolment photo per identity on the watchlist; mated"
        " searches with every other photo of each identity; non-mated searches with every"
        " unknown/ photo against the whole watchlist and, leaving one identity out, every"
        " photo of that identity against the others; rank 1",
        "rotations": ident.rotations,
        "enrolment_photos": ident.enrolled,
        "failed_to_enrol": ident.failed_to_enrol,
        "watchlist_size": [low, high],
        "mated_searches": len(mated),
        "mated_failures_to_acquire": searches.mated_failures,
        "nonmated_searches": len(nonmated),
        "nonmated_failures_to_acquire": searches.nonmated_failures,
        "nonmated_comparisons": int(searches.comparisons.size),
        "closest_nonmated_rank1": min(
            (s.rank1_distance for s in nonmated if s.rank1_distance is not None), default=None
        ),
        "scaling": "FPIR(N) = 1 - (1 - FMR)^N from the per-comparison false match rate of"
        " non-mated probes against watchlist entries; it assumes the N comparisons of a"
        " search are independent and that this FMR holds for the new watchlist's people."
        " Its interval maps the FMR's Clopper-Pearson interval through the same function",
        "by_threshold": rows,
    }


def _equitability_json(
    ident: Identification, groups: dict[str, str], thresholds: list[float], min_trials: int
) -> dict[str, object]:
    names = sorted(set(groups.values()))
    members = {g: {p for p, pg in groups.items() if pg == g} for g in names}
    labelled = set(groups)
    unlabelled = sorted({s.person for s in ident.searches} - labelled)
    comparisons = []
    for t in thresholds:
        points = {g: identification_at(ident.outcomes(members[g]), t) for g in names}
        for metric in ("tpir", "fpir"):
            rates: dict[str, Rate] = {g: getattr(points[g], metric) for g in names}
            comparisons.append(compare_groups(metric.upper(), t, rates, min_trials=min_trials))
    fmr_rows = {
        g: {
            str(t): identification_at(ident.outcomes(members[g]), t).fmr.to_json()
            for t in thresholds
        }
        for g in names
    }
    return {
        "groups": {g: sorted(members[g]) for g in names},
        "unlabelled_people": unlabelled,
        "method": "TPIR by the group of the mated probe's person, FPIR by the group of the"
        " non-mated probe's person. Two groups: Fisher's exact test; more: chi-square test of"
        " independence, or pairwise Fisher's exact tests with Holm's correction when an"
        f" expected count is below 5. alpha = {ALPHA}. Inconclusive when p >= alpha and a"
        f" group has fewer than {min_trials} trials or a 95% interval wider than"
        f" {MAX_CI_WIDTH}.",
        "comparisons": [c.to_json() for c in comparisons],
        "fmr_per_comparison": fmr_rows,
    }


def _small_set_warning(ident: Identification, warnings: list[str]) -> None:
    searches = ident.outcomes()
    mated = int(searches.mated_distance.size)
    nonmated = int(searches.nonmated_distance.size - searches.nonmated_failures)
    if mated < SMALL or nonmated < SMALL:
        warnings.append(
            f"small test set ({mated} mated and {nonmated} non-mated searches): the intervals"
            " are wide; these figures show whether the threshold is sane, not that the system"
            " is accurate at scale"
        )
    if nonmated == 0:
        warnings.append("no non-mated searches: FPIR is undefined")


def _headline(
    report: dict[str, object], threshold: float, identities: int, images: int
) -> dict[str, object]:
    verification = report["verification"]
    assert isinstance(verification, dict)
    row_v = next(r for r in verification["by_threshold"] if r["threshold"] == threshold)
    headline: dict[str, object] = {
        "threshold": threshold,
        "identities": identities,
        "images": images,
        "eer": verification["eer"],
        "fmr": row_v["fmr"],
        "fnmr": row_v["fnmr"],
    }
    ident = report["identification"]
    if isinstance(ident, dict):
        row = next(r for r in ident["by_threshold"] if r["threshold"] == threshold)
        headline.update(
            {
                "tpir": row["tpir"],
                "fnir": row["fnir"],
                "fpir": row["fpir"],
                "watchlist_size": ident["watchlist_size"],
                "misidentification": row["misidentification"],
                "fmr_per_comparison": row["fmr_per_comparison"],
                "scaled_fpir": row["scaled_fpir"],
                "mated_searches": ident["mated_searches"],
                "nonmated_searches": ident["nonmated_searches"],
            }
        )
    return headline
