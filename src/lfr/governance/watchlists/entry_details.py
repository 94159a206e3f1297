"""What issue 11's rules need to know about a watchlist entry, beyond who and why: the Annex II
offence and its national maximum sentence (EU objective (iii)), and a date of birth, with a
child-specific reason and an authorising officer's approval for anyone under 18."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import NotFoundError, PolicyViolationError, StateError
from lfr.governance.law.annex_ii import checked_offence
from lfr.governance.law.policy_service import profile_in_force
from lfr.governance.law.profiles import CHILDREN
from lfr.store.tables import WatchlistEntry

ADULT_YEARS = 18


@dataclass(frozen=True)
class EntryDetails:
    """The fields to set; None leaves a field as it is."""

    offence: str | None = None
    max_sentence_years: float | None = None
    date_of_birth: date | None = None
    child_reason: str | None = None


def age_on(date_of_birth: date, moment: datetime | date) -> int:
    """Whole years of age on ``moment`` (a birthday counts from its day)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def is_child_on(entry: WatchlistEntry, moment: datetime) -> bool:
    return entry.date_of_birth is not None and age_on(entry.date_of_birth, moment) < ADULT_YEARS


def set_entry_details(
    services: Services, actor: Actor, watchlist_id: int, reference: str, details: EntryDetails
) -> None:
    """Set an entry's offence, maximum sentence, date of birth or child reason. A new date of
    birth or child reason withdraws an earlier under-18 approval: it approved other facts."""
    require(actor, Action.WATCHLIST_MANAGE)
    offence = checked_offence(details.offence)
    years = details.max_sentence_years
    if years is not None and not 0 < years <= 100:
        raise PolicyViolationError("the maximum sentence is in years, above 0 and at most 100")
    with services.transaction() as session:
        entry = _entry(session, watchlist_id, reference)
        now = services.clock()
        if details.date_of_birth is not None and details.date_of_birth > now.date():
            raise PolicyViolationError("a date of birth cannot be in the future")
        changed: dict[str, object] = {}
        if offence is not None:
            entry.offence = changed["offence"] = offence
        if years is not None:
            entry.max_sentence_years = changed["max_sentence_years"] = years
        if details.date_of_birth is not None:
            entry.date_of_birth = details.date_of_birth
            changed["date_of_birth"] = "set"  # the date itself stays out of the audit log
        if details.child_reason is not None:
            entry.child_reason = details.child_reason.strip() or None
            changed["child_reason"] = entry.child_reason or ""
        if not changed:
            raise PolicyViolationError("nothing to set")
        if {"date_of_birth", "child_reason"} & changed.keys() and entry.child_approved_by:
            entry.child_approved_by = entry.child_approved_at = None
            changed["child_approval_withdrawn"] = True
        services.record(
            session,
            actor.username,
            "watchlist.entry.details",
            f"watchlist:{watchlist_id}",
            {"entry_id": entry.id, "reference": reference, **changed},
        )


def approve_child(services: Services, actor: Actor, watchlist_id: int, reference: str) -> None:
    """An authorising officer approves an under-18 entry's child-specific reason."""
    require(actor, Action.ENTRY_CHILD_APPROVE)
    with services.transaction() as session:
        entry = _entry(session, watchlist_id, reference)
        profile = profile_in_force(session)
        now = services.clock()
        if entry.date_of_birth is None or not is_child_on(entry, now):
            raise StateError(f"entry {reference!r} is not recorded as under 18")
        if not (entry.child_reason or "").strip():
            raise profile.refuse(
                CHILDREN, f"entry {reference!r} has no child-specific reason to approve"
            )
        if entry.added_by == actor.username:
            raise profile.refuse(
                CHILDREN, f"entry {reference!r} must be approved by someone other than who added it"
            )
        entry.child_approved_by = actor.username
        entry.child_approved_at = now
        services.record(
            session,
            actor.username,
            "watchlist.entry.child_approve",
            f"watchlist:{watchlist_id}",
            {"entry_id": entry.id, "reference": reference, "child_reason": entry.child_reason},
        )


def _entry(session: Session, watchlist_id: int, reference: str) -> WatchlistEntry:
    entry = session.scalars(
        select(WatchlistEntry)
        .where(WatchlistEntry.watchlist_id == watchlist_id, WatchlistEntry.reference == reference)
        .with_for_update()
    ).first()
    if entry is None or entry.removed_at is not None:
        raise NotFoundError(f"no entry {reference!r} on watchlist {watchlist_id}")
    return entry


@dataclass(frozen=True)
class EntryFacts:
    """An entry's issue-11 facts as staff see them (the date of birth itself is not shown)."""

    offence: str | None
    max_sentence_years: float | None
    under_18: bool
    child_reason: str | None
    child_approved_by: str | None


def entry_facts(services: Services, actor: Actor, watchlist_id: int) -> dict[str, EntryFacts]:
    """reference -> its offence, maximum sentence and under-18 standing (today)."""
    require(actor, Action.WATCHLIST_READ)
    with services.transaction() as session:
        now = services.clock()
        rows = session.scalars(
            select(WatchlistEntry).where(WatchlistEntry.watchlist_id == watchlist_id)
        )
        return {
            e.reference: EntryFacts(
                e.offence,
                e.max_sentence_years,
                is_child_on(e, now),
                e.child_reason,
                e.child_approved_by,
            )
            for e in rows
        }
