"""The cost of a deployment before it is authorised (issue 11, NPL 2023): expected false alerts
= expected footfall x FPIR at this watchlist's size and threshold, from the latest imported
``lfr evaluate`` report. FPIR at N entries is scaled from the evaluated per-comparison false
match rate, as the report itself does: FPIR(N) = 1 - (1 - FMR)^N, at the evaluated threshold
nearest the deployment's.

The report's fair operating point (the profile's threshold floor) is the loosest evaluated
threshold at which no per-group comparison found a significant difference; without a per-group
section, the calibrated threshold the data supports."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import NotFoundError, PolicyViolationError
from lfr.governance.law.profiles import THRESHOLD_FLOOR, Profile
from lfr.store.tables import Deployment, EvaluationReportRow, WatchlistEntry

NO_EVALUATION = "no evaluation imported"
_SIGNIFICANT = "significant difference"


@dataclass(frozen=True)
class CostEstimate:
    watchlist_size: int
    threshold: float
    evaluated_threshold: float
    fpir: float
    expected_footfall: int | None
    expected_false_alerts: float | None

    def describe(self) -> str:
        at = f"FPIR {self.fpir:.3g} at {self.watchlist_size} entries, threshold"
        at += f" {self.evaluated_threshold:g} (nearest evaluated to {self.threshold:g})"
        if self.expected_false_alerts is None:
            return f"{at}; no expected footfall planned"
        return (
            f"expected false alerts {self.expected_false_alerts:.2f}"
            f" = footfall {self.expected_footfall} x {at}"
        )


def import_evaluation(services: Services, actor: Actor, raw: bytes) -> int:
    """Keep what costing needs from an ``lfr evaluate`` report.json; refused if it has none."""
    require(actor, Action.EVALUATION_IMPORT)
    try:
        report = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise PolicyViolationError("the evaluation report is not JSON") from None
    points = _operating_points(report)
    fair = fair_threshold(report)
    digest = hashlib.sha256(raw).hexdigest()
    with services.transaction() as session:
        row = EvaluationReportRow(
            sha256=digest,
            points={"by_threshold": points},
            fair_threshold=fair,
            imported_at=services.clock(),
            imported_by=actor.username,
        )
        session.add(row)
        session.flush()
        services.record(
            session,
            actor.username,
            "evaluation.import",
            f"evaluation:{row.id}",
            {"sha256": digest, "points": len(points), "fair_threshold": fair},
        )
        return row.id


def latest_evaluation(session: Session) -> EvaluationReportRow | None:
    return session.scalars(
        select(EvaluationReportRow).order_by(EvaluationReportRow.id.desc()).limit(1)
    ).first()


def estimate_cost(session: Session, deployment: Deployment, now: datetime) -> CostEstimate | None:
    """The expected false alerts of ``deployment`` (None: no evaluation imported)."""
    evaluation = latest_evaluation(session)
    if evaluation is None:
        return None
    size = int(
        session.scalar(
            select(func.count())
            .select_from(WatchlistEntry)
            .where(
                WatchlistEntry.watchlist_id == deployment.watchlist_id,
                WatchlistEntry.removed_at.is_(None),
                WatchlistEntry.expires_at > now,
            )
        )
        or 0
    )
    points = evaluation.points["by_threshold"]
    nearest = min(points, key=lambda p: abs(float(p["threshold"]) - deployment.threshold))
    fpir = 1.0 - (1.0 - float(nearest["fmr"])) ** size
    footfall = deployment.expected_footfall
    return CostEstimate(
        watchlist_size=size,
        threshold=deployment.threshold,
        evaluated_threshold=float(nearest["threshold"]),
        fpir=fpir,
        expected_footfall=footfall,
        expected_false_alerts=None if footfall is None else footfall * fpir,
    )


def describe_cost(session: Session, deployment: Deployment, now: datetime) -> str:
    estimate = estimate_cost(session, deployment, now)
    return NO_EVALUATION if estimate is None else estimate.describe()


def fair_threshold(report: dict[str, Any]) -> float | None:
    """The evaluated fair operating point (None: the report has none, or it is malformed)."""
    try:
        return _fair_threshold(report)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _fair_threshold(report: dict[str, Any]) -> float | None:
    equitability = report.get("equitability")
    if isinstance(equitability, dict) and equitability.get("comparisons"):
        comparisons = equitability["comparisons"]
        unfair = {float(c["threshold"]) for c in comparisons if c.get("verdict") == _SIGNIFICANT}
        # Looser than the first unfair threshold is never fair, whatever lies beyond it.
        cap = min(unfair, default=float("inf"))
        fair = [float(c["threshold"]) for c in comparisons]
        return max((t for t in fair if t < cap), default=None)
    calibration = report.get("calibration")
    if isinstance(calibration, dict):
        supported = calibration.get("supported_threshold") or calibration.get("threshold")
        return float(supported) if supported is not None else None
    return None


def _operating_points(report: object) -> list[dict[str, float]]:
    identification = report.get("identification") if isinstance(report, dict) else None
    rows = identification.get("by_threshold") if isinstance(identification, dict) else None
    points = []
    for row in rows if isinstance(rows, list) else []:
        try:
            fmr = float(row["fmr_per_comparison"]["value"])
            threshold = float(row["threshold"])
            if 0.0 <= fmr <= 1.0 and math.isfinite(threshold):  # NaN fails both
                points.append({"threshold": threshold, "fmr": fmr})
        except (KeyError, TypeError, ValueError):
            continue  # a row without a usable FMR cannot cost anything
    if not points:
        raise PolicyViolationError(
            "the report has no identification results (run 'lfr evaluate' on identity folders)"
        )
    return points


def require_threshold_reason(
    session: Session, profile: Profile, deployment: Deployment, reason: str
) -> None:
    """Refuse to authorise a threshold looser than the evaluated fair operating point (the
    profile's floor) without a reason. Without an imported evaluation there is no floor."""
    if not profile.applies(THRESHOLD_FLOOR) or reason.strip():
        return
    evaluation = latest_evaluation(session)
    floor = evaluation.fair_threshold if evaluation is not None else None
    if floor is not None and deployment.threshold > floor:
        raise profile.refuse(
            THRESHOLD_FLOOR,
            f"deployment {deployment.id}'s threshold {deployment.threshold:g} is looser than the"
            f" evaluated fair operating point {floor:g}: give the reason for it",
        )


def deployment_cost(services: Services, actor: Actor, deployment_id: int) -> str:
    """The expected false alerts of a deployment, in words, for the authoriser."""
    require(actor, Action.DEPLOYMENT_READ)
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        if row is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        return describe_cost(session, row, services.clock())
