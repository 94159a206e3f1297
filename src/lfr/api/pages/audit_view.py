"""What the audit page shows: its filters read from the form, and each entry in plain words.

The "since" box is a datetime-local input, which sends a time without a zone
("2026-12-01T14:03"): the page shows every time in UTC, so that is what it means. An ISO time
with a zone is accepted too (a link or a bookmark).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from lfr.audit.labels import ACTION_LABELS, action_label, detail_lines
from lfr.audit.service import AuditRecord
from lfr.errors import LfrError

DEFAULT_LIMIT: Final = 200
MAX_LIMIT: Final = 5000


@dataclass(frozen=True, slots=True)
class AuditFilters:
    action: str = ""
    who: str = ""
    since: str = ""
    text: str = ""
    limit: str = str(DEFAULT_LIMIT)

    @property
    def since_input(self) -> str:
        """'since' as the datetime-local box shows it (UTC, no zone); as typed if unreadable."""
        try:
            moment = parse_since(self.since)
        except LfrError:
            return self.since
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if moment else ""


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: str
    """'2026-12-01 14:03:07 UTC'"""
    actor: str
    action: str
    label: str
    target: str
    details: list[tuple[str, str]]
    raw: str


def parse_since(text: str) -> datetime | None:
    """The form's 'since' as an aware time (no zone means UTC); LfrError when it is not one."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise LfrError(
            f"'since' is not a date and time: {text!r} (pick one, e.g. 2026-12-01 14:03 UTC)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_limit(text: str) -> int:
    try:
        limit = int(text.strip() or DEFAULT_LIMIT)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise LfrError(f"'newest' must be a whole number from 1 to {MAX_LIMIT}: {text!r}")
    return limit


def audit_rows(records: list[AuditRecord]) -> list[AuditRow]:
    return [
        AuditRow(
            seq=r.seq,
            at=_at(r.at),
            actor=r.actor,
            action=r.action,
            label=action_label(r.action),
            target=r.target,
            details=detail_lines(r.details),
            raw=json.dumps(r.details, indent=1, sort_keys=True, default=str),
        )
        for r in records
    ]


def action_choices(current: str) -> list[tuple[str, str]]:
    """(value, words) for the action filter: every action by its label, each family as a
    prefix ("alert." = every alert action), and whatever is in the URL now."""
    families = sorted({code.split(".")[0] + "." for code in ACTION_LABELS})
    choices = [("", "Any action")]
    choices += [(family, f"Any {family[:-1]} action") for family in families]
    choices += sorted(ACTION_LABELS.items(), key=lambda item: item[1])
    if current and current not in {value for value, _ in choices}:
        choices.append((current, action_label(current)))
    return choices


def _at(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
