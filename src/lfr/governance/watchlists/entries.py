"""Watchlists under policy: who may be on one, why, from which image, added by whom, until when.

Bridges v South Wales Police [2020] found too much discretion over WHO could be put on a
watchlist; here an entry outside the policy is refused with a message naming every problem,
and nothing is written. An entry is *active* while it is neither removed nor expired; expired
entries are excluded automatically from every list and from every deployment snapshot.

Templates and face images are sealed (``lfr.store.sealing``, kind ``"entry"``, owner
``entry_owner(watchlist_id, reference)``, name ``image_name``); the audit log records
references and counts, never biometric data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import NotFoundError, PolicyViolationError, StateError, WatchlistError
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.watchlists.entry_rules import (
    expiry_problems,
    refusal,
    subject_problems,
    template_problems,
)
from lfr.match.watchlist import require_same_contract
from lfr.store.crypto import DataCipher
from lfr.store.sealing import entry_owner, open_image, open_vector, seal_image, seal_vector
from lfr.store.tables import EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow

ENTRY_KIND = "entry"

_MAX_NAME = 200


@dataclass(frozen=True, slots=True)
class EntryView:
    """A watchlist entry as people see it: the facts, never a template or a face image."""

    id: int
    watchlist_id: int
    reference: str
    display_name: str
    category: str
    reason: str
    image_source: str
    added_by: str
    added_at: datetime
    expires_at: datetime
    removed_at: datetime | None
    images: int
    status: str
    """``active``, ``expired`` or ``removed``."""

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class WatchlistView:
    id: int
    name: str
    created_at: datetime
    created_by: str
    active_entries: int
    """Entries neither removed nor expired: what a deployment would search now."""
    total_entries: int


# ---------------------------------------------------------------------------------------------
# Watchlists


def create_watchlist(services: Services, actor: Actor, name: str) -> int:
    require(actor, Action.WATCHLIST_MANAGE)
    name = name.strip()
    if not name or len(name) > _MAX_NAME:
        raise WatchlistError(f"a watchlist name must be 1 to {_MAX_NAME} characters")
    with services.transaction() as session:
        if session.scalar(select(WatchlistRow.id).where(WatchlistRow.name == name)) is not None:
            raise WatchlistError(f"a watchlist named {name!r} already exists")
        row = WatchlistRow(name=name, created_at=services.clock(), created_by=actor.username)
        session.add(row)
        session.flush()
        services.record(
            session, actor.username, "watchlist.create", f"watchlist:{row.id}", {"name": name}
        )
        return row.id


def list_watchlists(services: Services, actor: Actor) -> list[WatchlistView]:
    require(actor, Action.WATCHLIST_READ)
    with services.transaction() as session:
        now = services.clock()
        rows = session.scalars(select(WatchlistRow).order_by(WatchlistRow.name)).all()
        return [watchlist_view(session, row, now) for row in rows]


def find_watchlist(services: Services, actor: Actor, name: str) -> WatchlistView:
    """The watchlist called ``name`` (NotFoundError if none)."""
    require(actor, Action.WATCHLIST_READ)
    with services.transaction() as session:
        row = session.scalars(select(WatchlistRow).where(WatchlistRow.name == name)).first()
        if row is None:
            raise NotFoundError(f"no watchlist named {name!r}")
        return watchlist_view(session, row, services.clock())


def watchlist_view(session: Session, row: WatchlistRow, now: datetime) -> WatchlistView:
    total = session.scalar(
        select(func.count())
        .select_from(WatchlistEntry)
        .where(WatchlistEntry.watchlist_id == row.id)
    )
    return WatchlistView(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        created_by=row.created_by,
        active_entries=count_active(session, row.id, now),
        total_entries=int(total or 0),
    )


def load_watchlist(session: Session, watchlist_id: int, lock: bool = False) -> WatchlistRow:
    query = select(WatchlistRow).where(WatchlistRow.id == watchlist_id)
    if lock:  # serialises adds to one watchlist on PostgreSQL (size limit); no-op on SQLite
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFoundError(f"no watchlist with id {watchlist_id}")
    return row


def _active(now: datetime) -> ColumnElement[bool]:
    return and_(WatchlistEntry.removed_at.is_(None), WatchlistEntry.expires_at > now)


def count_active(session: Session, watchlist_id: int, now: datetime) -> int:
    """Active entries of a watchlist (no role check: for services inside their transaction)."""
    count = session.scalar(
        select(func.count())
        .select_from(WatchlistEntry)
        .where(WatchlistEntry.watchlist_id == watchlist_id, _active(now))
    )
    return int(count or 0)


# ---------------------------------------------------------------------------------------------
# Entries


def add_entry(
    services: Services,
    actor: Actor,
    watchlist_id: int,
    subject: Subject,
    templates: list[Template],
    expires_at: datetime,
) -> int:
    """Put ``subject`` on the watchlist with its templates; returns the entry id.

    Refused (PolicyViolationError naming every problem, nothing written) when the category is
    not in the policy, the reason or image source is empty, the expiry is past or beyond the
    policy's maximum, there is no template, the watchlist is full, or the reference is taken.
    """
    require(actor, Action.WATCHLIST_MANAGE)
    with services.transaction() as session:
        load_watchlist(session, watchlist_id, lock=True)
        now = services.clock()
        policy = policy_in_force(session)
        problems = [
            *subject_problems(policy, subject),
            *expiry_problems(policy, now, expires_at),
            *template_problems(subject, templates),
        ]
        existing = session.scalars(
            select(WatchlistEntry).where(
                WatchlistEntry.watchlist_id == watchlist_id,
                WatchlistEntry.reference == subject.reference,
            )
        ).first()
        if existing is not None:
            problems.append(_duplicate_problem(existing, now))
        active = count_active(session, watchlist_id, now)
        if active + 1 > policy.max_watchlist_size:
            problems.append(
                f"the watchlist already holds {active} active entries and the policy allows"
                f" at most {policy.max_watchlist_size}"
            )
        if problems:
            raise PolicyViolationError(refusal(subject, problems))
        _require_one_contract(session, watchlist_id, now, templates)
        owner = entry_owner(watchlist_id, subject.reference)
        entry = WatchlistEntry(
            watchlist_id=watchlist_id,
            reference=subject.reference,
            display_name=subject.display_name,
            category=subject.category,
            reason=subject.reason.strip(),
            image_source=subject.image_source.strip(),
            added_by=actor.username,
            added_at=now,
            expires_at=expires_at,
        )
        for template in templates:
            name = template.image_name
            entry.images.append(
                EntryImage(
                    image_name=name,
                    contract=asdict(template.contract),
                    template_enc=seal_vector(
                        services.cipher, template.embedding, ENTRY_KIND, owner, name
                    ),
                    face_jpeg_enc=seal_image(
                        services.cipher, template.face_jpeg, ENTRY_KIND, owner, name
                    ),
                )
            )
        session.add(entry)
        session.flush()
        services.record(
            session,
            actor.username,
            "watchlist.entry.add",
            f"watchlist:{watchlist_id}",
            {
                "entry_id": entry.id,
                "reference": subject.reference,
                "category": subject.category,
                "images": len(templates),
                "added_by": actor.username,
                "expires_at": expires_at.isoformat(),
            },
        )
        return entry.id


def _duplicate_problem(existing: WatchlistEntry, now: datetime) -> str:
    if existing.removed_at is None and existing.expires_at > now:
        return f"reference {existing.reference!r} is already on this watchlist"
    state = "removed" if existing.removed_at is not None else "expired"
    return (
        f"reference {existing.reference!r} was on this watchlist before ({state});"
        " a reference is never reused on the same watchlist, give the new entry its own"
    )


def _require_one_contract(
    session: Session, watchlist_id: int, now: datetime, templates: list[Template]
) -> None:
    """Templates of different models are never compared: one contract per watchlist."""
    first = templates[0].contract
    for template in templates[1:]:
        require_same_contract(first, template.contract, template.image_name)
    stored = session.scalars(
        select(EntryImage.contract)
        .join(WatchlistEntry, EntryImage.entry_id == WatchlistEntry.id)
        .where(WatchlistEntry.watchlist_id == watchlist_id, _active(now))
        .limit(1)
    ).first()
    if stored is not None:
        require_same_contract(EmbeddingContract(**stored), first, templates[0].image_name)


def remove_entry(
    services: Services, actor: Actor, watchlist_id: int, reference: str, reason: str
) -> None:
    """Take an entry off the watchlist and wipe its templates and face images. The entry's
    facts stay (who was on it, why, until when) so the audit trail still makes sense."""
    require(actor, Action.WATCHLIST_MANAGE)
    if not reason.strip():
        raise PolicyViolationError("say why the entry is removed (a reason is required)")
    with services.transaction() as session:
        load_watchlist(session, watchlist_id)
        entry = session.scalars(
            select(WatchlistEntry).where(
                WatchlistEntry.watchlist_id == watchlist_id,
                WatchlistEntry.reference == reference,
            )
        ).first()
        if entry is None:
            raise NotFoundError(f"no entry {reference!r} on watchlist {watchlist_id}")
        if entry.removed_at is not None:
            raise StateError(f"entry {reference!r} was already removed on {_iso(entry.removed_at)}")
        now = services.clock()
        was = "active" if entry.expires_at > now else "expired"
        wiped = _wipe_images(session, [entry.id])
        entry.removed_at = now
        services.record(
            session,
            actor.username,
            "watchlist.entry.remove",
            f"watchlist:{watchlist_id}",
            {
                "entry_id": entry.id,
                "reference": reference,
                "reason": reason.strip(),
                "was": was,
                "images_wiped": wiped,
            },
        )


def _wipe_images(session: Session, entry_ids: list[int]) -> int:
    if not entry_ids:
        return 0
    result = session.execute(delete(EntryImage).where(EntryImage.entry_id.in_(entry_ids)))
    session.expire_all()  # no loaded entry may still hold the deleted images
    return int(getattr(result, "rowcount", 0) or 0)


def wipe_expired_entry_images(session: Session, now: datetime) -> tuple[int, int]:
    """Delete the templates and face images of every expired entry (no role check: for the
    retention service, which audits the purge in its own transaction). Returns (entries,
    images). An expired entry is never searched again, so its biometric data has no use."""
    ids = list(
        session.scalars(
            select(WatchlistEntry.id)
            .join(EntryImage, EntryImage.entry_id == WatchlistEntry.id)
            .where(WatchlistEntry.expires_at <= now)
            .distinct()
        )
    )
    return len(ids), _wipe_images(session, ids)


def list_entries(
    services: Services, actor: Actor, watchlist_id: int, include_inactive: bool = False
) -> list[EntryView]:
    """The entries of a watchlist, by reference; only the active ones unless asked."""
    require(actor, Action.WATCHLIST_READ)
    with services.transaction() as session:
        load_watchlist(session, watchlist_id)
        now = services.clock()
        query = select(WatchlistEntry).where(WatchlistEntry.watchlist_id == watchlist_id)
        if not include_inactive:
            query = query.where(_active(now))
        entries = session.scalars(query.order_by(WatchlistEntry.reference)).all()
        counts = {
            entry_id: count
            for entry_id, count in session.execute(
                select(EntryImage.entry_id, func.count())
                .join(WatchlistEntry, EntryImage.entry_id == WatchlistEntry.id)
                .where(WatchlistEntry.watchlist_id == watchlist_id)
                .group_by(EntryImage.entry_id)
            )
        }
        return [_entry_view(entry, int(counts.get(entry.id, 0)), now) for entry in entries]


def _entry_view(entry: WatchlistEntry, images: int, now: datetime) -> EntryView:
    if entry.removed_at is not None:
        status = "removed"
    elif entry.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    return EntryView(
        id=entry.id,
        watchlist_id=entry.watchlist_id,
        reference=entry.reference,
        display_name=entry.display_name,
        category=entry.category,
        reason=entry.reason,
        image_source=entry.image_source,
        added_by=entry.added_by,
        added_at=entry.added_at,
        expires_at=entry.expires_at,
        removed_at=entry.removed_at,
        images=images,
        status=status,
    )


def active_templates(
    session: Session, cipher: DataCipher, watchlist_id: int, now: datetime
) -> list[tuple[int, Template]]:
    """Every template of the watchlist's active entries, decrypted, as (entry id, template),
    in entry then image order. No role check: the deployments service calls it inside its own
    transaction to freeze a snapshot. A wrong key or altered ciphertext raises IntegrityError."""
    load_watchlist(session, watchlist_id)
    rows = session.execute(
        select(WatchlistEntry, EntryImage)
        .join(EntryImage, EntryImage.entry_id == WatchlistEntry.id)
        .where(WatchlistEntry.watchlist_id == watchlist_id, _active(now))
        .order_by(WatchlistEntry.id, EntryImage.id)
    )
    result: list[tuple[int, Template]] = []
    subjects: dict[int, Subject] = {}
    for entry, image in rows:
        subject = subjects.get(entry.id)
        if subject is None:
            subject = subjects[entry.id] = Subject(
                reference=entry.reference,
                display_name=entry.display_name,
                category=entry.category,
                reason=entry.reason,
                image_source=entry.image_source,
            )
        owner = entry_owner(watchlist_id, entry.reference)
        name = image.image_name
        template = Template(
            subject=subject,
            embedding=open_vector(cipher, image.template_enc, ENTRY_KIND, owner, name),
            contract=EmbeddingContract(**image.contract),
            image_name=name,
            face_jpeg=open_image(cipher, image.face_jpeg_enc, ENTRY_KIND, owner, name),
        )
        result.append((entry.id, template))
    return result


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")
