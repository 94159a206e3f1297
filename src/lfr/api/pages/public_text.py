"""Words for the public pages: local times with their zone, and what a record's revision
changed ("true alerts 1 → 2")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lfr.api.pages.common import percent
from lfr.governance.records.published import Revision

LocalTime = Callable[[object], str]
_RATES = ("false_alert_rate_per_face_seen", "false_alert_rate_per_alert")


def local_time(zone: ZoneInfo) -> LocalTime:
    """A formatter: an ISO string or datetime (UTC when naive) -> '2026-06-01 14:00 BST'."""

    def show(value: object) -> str:
        if value is None or value == "":
            return "—"
        moment = value
        if isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
        if not isinstance(moment, datetime):
            return str(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")

    return show


def describe_revision(revision: Revision, local: LocalTime) -> str:
    """'revised 2026-06-01 15:20 BST: true alerts 1 → 2, not reviewed 5 → 4'."""
    changes = ", ".join(
        f"{field.replace('_', ' ').replace('unreviewed', 'not reviewed')}"
        f" {_value(field, before)} → {_value(field, after)}"
        for field, (before, after) in revision.changes.items()
    )
    return f"revised {local(revision.revised_at)}: {changes}"


def _value(field: str, value: object) -> str:
    return percent(value) if field in _RATES else str(value)
