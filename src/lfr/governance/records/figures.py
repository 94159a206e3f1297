"""The published record's figures about people (issue 11, item 10): watchlist entries by
category and under 18 (kept when it went live, ``lfr.governance.deployments.live_facts``), people
stopped,
stop durations and arrests by category (from the encounters and the alerts' outcomes), and the
profile it ran under. Counts only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.store.tables import AlertRow, Deployment, Encounter

NO_ALERT = "stop without an alert"
"""The category of an arrest after a stop that no alert caused."""


def stop_minutes(started_at: datetime, ended_at: datetime | None) -> float | None:
    """How long a stop lasted, in minutes (None without an end)."""
    if ended_at is None:
        return None
    return (ended_at - started_at) / timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PeopleFigures:
    profile: str | None = None
    entries_by_category: dict[str, int] = field(default_factory=dict)
    under_18_entries: int | None = None
    people_stopped: int = 0
    stop_minutes_median: float | None = None
    stop_minutes_longest: float | None = None
    arrests_by_category: dict[str, int] = field(default_factory=dict)


def people_figures(session: Session, deployment: Deployment) -> PeopleFigures:
    facts = deployment.live_facts or {}
    stops = session.execute(
        select(Encounter.started_at, Encounter.ended_at).where(
            Encounter.deployment_id == deployment.id, Encounter.stopped.is_(True)
        )
    ).all()
    minutes = [m for m in (stop_minutes(s, e) for s, e in stops) if m is not None]
    arrests = Counter(
        str(category)
        for category in session.scalars(
            select(AlertRow.category).where(
                AlertRow.deployment_id == deployment.id, AlertRow.outcome == "arrested"
            )
        )
    )
    arrests[NO_ALERT] += len(
        session.scalars(
            select(Encounter.id).where(
                Encounter.deployment_id == deployment.id,
                Encounter.alert_id.is_(None),
                Encounter.outcome == "arrested",
            )
        ).all()
    )
    return PeopleFigures(
        profile=facts.get("profile"),
        entries_by_category=dict(facts.get("entries_by_category", {})),
        under_18_entries=facts.get("under_18_entries"),
        people_stopped=len(stops),
        stop_minutes_median=round(median(minutes), 1) if minutes else None,
        stop_minutes_longest=round(max(minutes), 1) if minutes else None,
        arrests_by_category={k: v for k, v in sorted(arrests.items()) if v},
    )
