"""Facts about a deployment kept when it goes live, for its published record: the watchlist's
entries by category, how many are under 18, and the profile in force. The snapshot itself is
wiped at the end, and the policy may change later, so the record cannot compute them then.
Counts only: nothing here identifies anyone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.governance.law.policy_service import profile_in_force
from lfr.store.tables import WatchlistEntry


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def live_facts(session: Session, entry_ids: Collection[int], now: datetime) -> dict[str, Any]:
    """The facts of a snapshot of the entries ``entry_ids`` frozen at ``now``."""
    rows = session.execute(
        select(WatchlistEntry.id, WatchlistEntry.category, WatchlistEntry.date_of_birth).where(
            WatchlistEntry.id.in_(set(entry_ids))
        )
    ).all()
    by_category = Counter(str(category) for _, category, _ in rows)
    today = now.date()
    under_18 = sum(1 for _, _, born in rows if born is not None and age_on(born, today) < 18)
    return {
        "profile": profile_in_force(session).name.value,
        "entries_by_category": dict(sorted(by_category.items())),
        "under_18_entries": under_18,
    }
