from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.audit.log import AuditLog
from lfr.cli import main
from lfr.config import Settings
from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import (
    ContractMismatchError,
    EnrolmentError,
    IntegrityError,
    NotFoundError,
    PermissionDeniedError,
    PolicyViolationError,
    StateError,
    WatchlistError,
)
from lfr.governance.law.policy import DEFAULT_CATEGORIES, Policy
from lfr.governance.law.policy_service import set_policy
from lfr.governance.watchlists.entries import (
    EntryView,
    active_templates,
    add_entry,
    create_watchlist,
    find_watchlist,
    list_entries,
    list_watchlists,
    remove_entry,
    wipe_expired_entry_images,
)
from lfr.governance.watchlists.folder_import import enrol_folder_into
from lfr.imaging import encode_jpeg
from lfr.store.crypto import DataCipher, new_key
from lfr.store.tables import EntryImage, WatchlistEntry
from tests.gov.conftest import ADMIN, AUTHORISER, MANAGER, OPERATOR, OVERSIGHT
from tests.gov.factories import CONTRACT, PASSWORD, add_users, audit_entries

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
IN_10_DAYS = T0 + timedelta(days=10)


def at(services: Services, moment: datetime) -> Services:
    return replace(services, clock=lambda: moment)


def subject(reference: str = "WL-0001", **changes: str) -> Subject:
    base = Subject(
        reference=reference,
        display_name="Jane Doe",
        category=DEFAULT_CATEGORIES[0],
        reason="wanted on warrant 123",
        image_source="custody record 2025-11-02",
    )
    return replace(base, **changes)


def template(who: Subject, name: str = "1.jpg", seed: int = 1) -> Template:
    rng = np.random.default_rng(seed)
    vector = rng.normal(size=CONTRACT.dimension).astype(np.float32)
    face = encode_jpeg(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8))
    return Template(who, vector, CONTRACT, name, face)


def counts(services: Services) -> tuple[int, int, int]:
    """(entries, entry images, audit entries)"""
    with services.transaction() as session:
        entries = session.scalar(select(func.count()).select_from(WatchlistEntry))
        images = session.scalar(select(func.count()).select_from(EntryImage))
        return int(entries or 0), int(images or 0), AuditLog.count(session)


def chain_ok(services: Services) -> None:
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok, report.problem


@pytest.fixture
def now(services: Services) -> Services:
    """The services with the clock fixed at T0."""
    return at(services, T0)


@pytest.fixture
def wl(now: Services) -> int:
    return create_watchlist(now, MANAGER, "op-kestrel")


# --- watchlists ---------------------------------------------------------------------------------


def test_create_watchlist_is_audited_and_names_are_unique(now: Services) -> None:
    watchlist_id = create_watchlist(now, MANAGER, "op-kestrel")

    [entry] = audit_entries(now, "watchlist.create")
    assert entry.actor == MANAGER.username and entry.target == f"watchlist:{watchlist_id}"
    assert entry.details == {"name": "op-kestrel"}
    before = counts(now)
    with pytest.raises(WatchlistError, match="already exists"):
        create_watchlist(now, MANAGER, "op-kestrel")
    with pytest.raises(WatchlistError, match="name must be"):
        create_watchlist(now, MANAGER, "   ")
    assert counts(now) == before
    [view] = list_watchlists(now, OVERSIGHT)
    assert (view.id, view.name, view.active_entries, view.total_entries) == (
        watchlist_id,
        "op-kestrel",
        0,
        0,
    )


def test_unknown_watchlist_is_not_found(now: Services) -> None:
    with pytest.raises(NotFoundError):
        add_entry(now, MANAGER, 999, subject(), [template(subject())], IN_10_DAYS)
    with pytest.raises(NotFoundError):
        list_entries(now, MANAGER, 999)
    with pytest.raises(NotFoundError):
        find_watchlist(now, MANAGER, "nope")


# --- adding entries ------------------------------------------------------------------------------


def test_add_entry_stores_facts_and_sealed_images_and_audits(now: Services, wl: int) -> None:
    who = subject()
    entry_id = add_entry(
        now, MANAGER, wl, who, [template(who, "1.jpg", 1), template(who, "2.jpg", 2)], IN_10_DAYS
    )

    [view] = list_entries(now, AUTHORISER, wl)
    assert view.id == entry_id and view.status == "active" and view.active
    assert (view.reference, view.category, view.reason, view.image_source) == (
        who.reference,
        who.category,
        who.reason,
        who.image_source,
    )
    assert view.added_by == MANAGER.username and view.added_at == T0
    assert view.expires_at == IN_10_DAYS and view.images == 2
    assert {f.name for f in fields(EntryView)}.isdisjoint(
        {"embedding", "template", "face_jpeg", "template_enc", "face_jpeg_enc"}
    )
    [entry] = audit_entries(now, "watchlist.entry.add")
    assert entry.actor == MANAGER.username
    assert entry.details == {
        "entry_id": entry_id,
        "reference": "WL-0001",
        "category": DEFAULT_CATEGORIES[0],
        "images": 2,
        "added_by": MANAGER.username,
        "expires_at": IN_10_DAYS.isoformat(),
    }
    assert find_watchlist(now, MANAGER, "op-kestrel").active_entries == 1
    chain_ok(now)


def _nothing(services: Services, watchlist_id: int) -> None:
    pass


def _fill_to_the_limit(services: Services, watchlist_id: int) -> None:
    set_policy(services, ADMIN, Policy(max_watchlist_size=1))
    first = subject("WL-0000")
    add_entry(services, MANAGER, watchlist_id, first, [template(first)], IN_10_DAYS)


def _add_the_same_reference(services: Services, watchlist_id: int) -> None:
    add_entry(services, MANAGER, watchlist_id, subject(), [template(subject())], IN_10_DAYS)


REFUSALS: dict[str, tuple[Callable[[Services, int], None], dict[str, object], str]] = {
    # name: (setup, changes to the call, expected text)
    "category": (
        _nothing,
        {"subject": subject(category="shoplifting")},
        "category 'shoplifting' is not allowed by the policy (allowed: "
        + ", ".join(repr(c) for c in DEFAULT_CATEGORIES),
    ),
    "reason": (_nothing, {"subject": subject(reason="  ")}, "the reason is empty"),
    "source": (_nothing, {"subject": subject(image_source="")}, "image source is empty"),
    "expiry past": (
        _nothing,
        {"expires_at": T0 - timedelta(minutes=1)},
        "is not in the future",
    ),
    "expiry now": (_nothing, {"expires_at": T0}, "is not in the future"),
    "expiry too far": (
        _nothing,
        {"expires_at": T0 + timedelta(days=31, seconds=1)},
        "more than 31 days away",
    ),
    "naive expiry": (
        _nothing,
        {"expires_at": datetime(2026, 3, 5)},
        "timezone-aware",
    ),
    "no templates": (_nothing, {"templates": []}, "no face template"),
    "template of someone else": (
        _nothing,
        {"templates": [template(subject("WL-9999"))]},
        "belongs to 'WL-9999'",
    ),
    "size limit": (
        _fill_to_the_limit,
        {},
        "already holds 1 active entries and the policy allows at most 1",
    ),
    "duplicate": (
        _add_the_same_reference,
        {"subject": subject(display_name="Someone Else")},
        "reference 'WL-0001' is already on this watchlist",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_entry_writes_nothing(now: Services, wl: int, case: str) -> None:
    setup, changes, expected = REFUSALS[case]
    setup(now, wl)
    call: dict[str, object] = {
        "subject": subject(),
        "templates": [template(subject())],
        "expires_at": IN_10_DAYS,
    }
    call.update(changes)
    if "templates" not in changes and "subject" in changes:
        who = call["subject"]
        assert isinstance(who, Subject)
        call["templates"] = [template(who)]
    before = counts(now)

    with pytest.raises(PolicyViolationError) as caught:
        add_entry(now, MANAGER, wl, **call)  # type: ignore[arg-type]

    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
    assert counts(now) == before


def test_the_expiry_limit_itself_is_allowed(now: Services, wl: int) -> None:
    add_entry(now, MANAGER, wl, subject(), [template(subject())], T0 + timedelta(days=31))
    assert len(list_entries(now, MANAGER, wl)) == 1


def test_every_problem_is_named_at_once(now: Services, wl: int) -> None:
    bad = subject(category="gossip", reason="", image_source="")
    with pytest.raises(PolicyViolationError) as caught:
        add_entry(now, MANAGER, wl, bad, [], T0 - timedelta(days=1))
    message = str(caught.value)
    for part in ("'gossip'", "reason", "image source", "not in the future", "no face template"):
        assert part in message


def test_policy_categories_come_from_the_policy_in_force(now: Services, wl: int) -> None:
    set_policy(now, ADMIN, Policy(categories=["missing or vulnerable person"]))
    with pytest.raises(PolicyViolationError, match="allowed: 'missing or vulnerable person'"):
        add_entry(now, MANAGER, wl, subject(), [template(subject())], IN_10_DAYS)
    ok = subject(category="missing or vulnerable person")
    add_entry(now, MANAGER, wl, ok, [template(ok)], IN_10_DAYS)


def test_a_reference_is_not_reused_after_removal(now: Services, wl: int) -> None:
    add_entry(now, MANAGER, wl, subject(), [template(subject())], IN_10_DAYS)
    remove_entry(now, MANAGER, wl, "WL-0001", "arrested")
    with pytest.raises(PolicyViolationError, match="was on this watchlist before"):
        add_entry(now, MANAGER, wl, subject(), [template(subject())], IN_10_DAYS)


def test_another_model_s_templates_are_refused(now: Services, wl: int) -> None:
    add_entry(now, MANAGER, wl, subject("WL-0001"), [template(subject("WL-0001"))], IN_10_DAYS)
    other = EmbeddingContract("other-model", "1" * 64, 4, "fake")
    who = subject("WL-0002")
    before = counts(now)
    with pytest.raises(ContractMismatchError):
        add_entry(now, MANAGER, wl, who, [replace(template(who), contract=other)], IN_10_DAYS)
    assert counts(now) == before


def test_expired_entries_do_not_count_towards_the_size_limit(services: Services) -> None:
    wl = create_watchlist(at(services, T0), MANAGER, "wl")
    set_policy(services, ADMIN, Policy(max_watchlist_size=1))
    old = subject("WL-OLD")
    add_entry(at(services, T0), MANAGER, wl, old, [template(old)], T0 + timedelta(days=1))
    later = at(services, T0 + timedelta(days=2))
    new = subject("WL-NEW")
    add_entry(later, MANAGER, wl, new, [template(new)], T0 + timedelta(days=5))
    assert [e.reference for e in list_entries(later, MANAGER, wl)] == ["WL-NEW"]


# --- expiry, snapshots and sealing ---------------------------------------------------------------


def test_expired_entries_are_excluded_everywhere(services: Services) -> None:
    start = at(services, T0)
    wl = create_watchlist(start, MANAGER, "wl")
    short, long = subject("WL-SHORT"), subject("WL-LONG")
    add_entry(start, MANAGER, wl, short, [template(short)], T0 + timedelta(days=2))
    add_entry(start, MANAGER, wl, long, [template(long)], T0 + timedelta(days=20))
    later = at(services, T0 + timedelta(days=3))

    assert [e.reference for e in list_entries(start, MANAGER, wl)] == ["WL-LONG", "WL-SHORT"]
    assert [e.reference for e in list_entries(later, MANAGER, wl)] == ["WL-LONG"]
    everything = list_entries(later, MANAGER, wl, include_inactive=True)
    assert {e.reference: e.status for e in everything} == {
        "WL-LONG": "active",
        "WL-SHORT": "expired",
    }
    with services.transaction() as session:
        at_start = active_templates(session, services.cipher, wl, T0)
        at_later = active_templates(session, services.cipher, wl, T0 + timedelta(days=3))
    assert {t.subject.reference for _, t in at_start} == {"WL-SHORT", "WL-LONG"}
    assert [t.subject.reference for _, t in at_later] == ["WL-LONG"]
    [view] = list_watchlists(later, OVERSIGHT)
    assert (view.active_entries, view.total_entries) == (1, 2)


def test_active_templates_decrypt_to_what_was_enrolled(now: Services, wl: int) -> None:
    who = subject()
    enrolled = [template(who, "1.jpg", 1), template(who, "2.jpg", 2)]
    entry_id = add_entry(now, MANAGER, wl, who, enrolled, IN_10_DAYS)
    gone = subject("WL-GONE")
    add_entry(now, MANAGER, wl, gone, [template(gone, seed=3)], IN_10_DAYS)
    remove_entry(now, MANAGER, wl, "WL-GONE", "no longer wanted")

    with now.transaction() as session:
        found = active_templates(session, now.cipher, wl, T0)

    assert [entry for entry, _ in found] == [entry_id, entry_id]
    for (_, got), want in zip(found, enrolled, strict=True):
        assert got.subject == who and got.contract == CONTRACT
        assert got.image_name == want.image_name and got.face_jpeg == want.face_jpeg
        np.testing.assert_array_equal(got.embedding, want.embedding)


def test_biometric_columns_are_sealed(now: Services, wl: int) -> None:
    who = subject()
    enrolled = template(who)
    add_entry(now, MANAGER, wl, who, [enrolled], IN_10_DAYS)

    with now.transaction() as session:
        raw = session.execute(text("SELECT template_enc, face_jpeg_enc FROM entry_images")).one()
        vector_bytes = np.asarray(enrolled.embedding, dtype="<f4").tobytes()
        assert vector_bytes not in bytes(raw[0]) and vector_bytes[:8] not in bytes(raw[0])
        assert enrolled.face_jpeg[:32] not in bytes(raw[1])
        with pytest.raises(IntegrityError):
            active_templates(session, DataCipher(new_key()), wl, T0)
    audit_text = json.dumps([e.details for e in audit_entries(now, "watchlist.entry.add")])
    assert vector_bytes.hex() not in audit_text


def test_a_ciphertext_moved_to_another_entry_does_not_open(now: Services, wl: int) -> None:
    a, b = subject("WL-A"), subject("WL-B")
    add_entry(now, MANAGER, wl, a, [template(a, seed=1)], IN_10_DAYS)
    add_entry(now, MANAGER, wl, b, [template(b, seed=2)], IN_10_DAYS)
    with now.transaction() as session:
        images = session.scalars(select(EntryImage).order_by(EntryImage.id)).all()
        images[1].template_enc = images[0].template_enc
    with now.transaction() as session, pytest.raises(IntegrityError):
        active_templates(session, now.cipher, wl, T0)


# --- removal -------------------------------------------------------------------------------------


def test_remove_wipes_images_and_is_audited(now: Services, wl: int) -> None:
    keep, drop = subject("WL-KEEP"), subject("WL-DROP")
    add_entry(now, MANAGER, wl, keep, [template(keep)], IN_10_DAYS)
    drop_id = add_entry(
        now, MANAGER, wl, drop, [template(drop, "1.jpg"), template(drop, "2.jpg")], IN_10_DAYS
    )
    later = at(now, T0 + timedelta(hours=1))

    remove_entry(later, MANAGER, wl, "WL-DROP", "arrested on 2 March")

    with now.transaction() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(EntryImage).where(EntryImage.entry_id == drop_id)
            )
            == 0
        )
        assert session.scalar(select(func.count()).select_from(EntryImage)) == 1
        row = session.get(WatchlistEntry, drop_id)
        assert row is not None and row.removed_at == T0 + timedelta(hours=1)
    assert [e.reference for e in list_entries(later, MANAGER, wl)] == ["WL-KEEP"]
    removed = [e for e in list_entries(later, MANAGER, wl, True) if e.reference == "WL-DROP"]
    assert removed[0].status == "removed" and removed[0].images == 0
    [entry] = audit_entries(now, "watchlist.entry.remove")
    assert entry.details == {
        "entry_id": drop_id,
        "reference": "WL-DROP",
        "reason": "arrested on 2 March",
        "was": "active",
        "images_wiped": 2,
    }
    chain_ok(now)


def test_remove_refusals_write_nothing(now: Services, wl: int) -> None:
    add_entry(now, MANAGER, wl, subject(), [template(subject())], IN_10_DAYS)
    before = counts(now)
    with pytest.raises(PolicyViolationError, match="reason"):
        remove_entry(now, MANAGER, wl, "WL-0001", " ")
    with pytest.raises(NotFoundError):
        remove_entry(now, MANAGER, wl, "WL-NOPE", "typo")
    assert counts(now) == before
    remove_entry(now, MANAGER, wl, "WL-0001", "arrested")
    after = counts(now)
    with pytest.raises(StateError, match="already removed"):
        remove_entry(now, MANAGER, wl, "WL-0001", "again")
    assert counts(now) == after


def test_expired_entries_images_can_be_wiped_by_retention(services: Services) -> None:
    start = at(services, T0)
    wl = create_watchlist(start, MANAGER, "wl")
    short, long = subject("WL-SHORT"), subject("WL-LONG")
    add_entry(
        start,
        MANAGER,
        wl,
        short,
        [template(short), template(short, "2.jpg")],
        T0 + timedelta(days=1),
    )
    add_entry(start, MANAGER, wl, long, [template(long)], T0 + timedelta(days=20))
    with services.transaction() as session:
        assert wipe_expired_entry_images(session, T0 + timedelta(days=2)) == (1, 2)
    with services.transaction() as session:
        assert session.scalar(select(func.count()).select_from(EntryImage)) == 1
        assert len(active_templates(session, services.cipher, wl, T0 + timedelta(days=2))) == 1


# --- roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.WATCHLIST_MANAGER])
def test_only_a_watchlist_manager_changes_watchlists(
    now: Services, wl: int, role: Role, tmp_path: Path
) -> None:
    add_entry(now, MANAGER, wl, subject(), [template(subject())], IN_10_DAYS)
    actor = Actor("someone", role)
    before = counts(now)
    who = subject("WL-0002")
    with pytest.raises(PermissionDeniedError):
        create_watchlist(now, actor, "another")
    with pytest.raises(PermissionDeniedError):
        add_entry(now, actor, wl, who, [template(who)], IN_10_DAYS)
    with pytest.raises(PermissionDeniedError):
        remove_entry(now, actor, wl, "WL-0001", "because")
    enroller = FakeEnroller()
    with pytest.raises(PermissionDeniedError):
        enrol_folder_into(now, actor, wl, tmp_path, enroller, IN_10_DAYS, progress=False)
    assert enroller.calls == []
    assert counts(now) == before


@pytest.mark.parametrize("role", list(Role))
def test_who_may_read_watchlists(now: Services, wl: int, role: Role) -> None:
    actor = Actor("someone", role)
    readers = {Role.WATCHLIST_MANAGER, Role.AUTHORISING_OFFICER, Role.OVERSIGHT}
    if role in readers:
        assert list_entries(now, actor, wl) == []
        assert [w.name for w in list_watchlists(now, actor)] == ["op-kestrel"]
        return
    with pytest.raises(PermissionDeniedError):
        list_entries(now, actor, wl)
    with pytest.raises(PermissionDeniedError):
        list_watchlists(now, actor)


# --- importing a folder --------------------------------------------------------------------------


class FakeEnroller:
    """Duck-typed Enroller: a photo named bad* has no usable face; any other photo becomes a
    template derived from its bytes."""

    def __init__(self, contract: EmbeddingContract = CONTRACT) -> None:
        self.contract = contract
        self.calls: list[str] = []

    def enrol_image(self, path: Path, subject: Subject) -> Template:
        self.calls.append(f"{path.parent.name}/{path.name}")
        if path.name.startswith("bad"):
            raise EnrolmentError(str(path), "no face found")
        digest = hashlib.sha256(path.read_bytes()).digest()
        vector = np.frombuffer(digest[:16], dtype="<f4").astype(np.float32)
        vector = np.nan_to_num(vector, nan=0.5, posinf=1.0, neginf=-1.0)
        return Template(
            subject, vector, self.contract, f"{path.parent.name}/{path.name}", b"jpeg" + digest
        )


def make_subject_dir(
    root: Path, folder: str, photos: list[str], meta: dict[str, str] | None
) -> None:
    path = root / folder
    path.mkdir(parents=True)
    for photo in photos:
        (path / photo).write_bytes(f"{folder}/{photo}".encode())
    if meta is not None:
        (path / "subject.json").write_text(json.dumps(meta))


def meta(reference: str, **changes: str) -> dict[str, str]:
    return {
        "reference": reference,
        "display_name": reference.title(),
        "category": DEFAULT_CATEGORIES[1],
        "reason": "wanted on warrant",
        "image_source": "custody record",
        **changes,
    }


def test_import_folder_adds_reports_and_refuses_per_subject(
    now: Services, wl: int, tmp_path: Path
) -> None:
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg", "2.jpg", "bad.jpg"], meta("WL-ALICE"))
    make_subject_dir(root, "bob", ["1.jpg"], meta("WL-BOB", category="littering"))
    make_subject_dir(root, "carol", ["bad1.jpg"], meta("WL-CAROL"))
    make_subject_dir(root, "dave", ["1.jpg"], meta("WL-DAVE"))
    enroller = FakeEnroller()

    report = enrol_folder_into(now, MANAGER, wl, root, enroller, IN_10_DAYS, progress=False)

    assert report.subjects == 4
    assert report.added == ["WL-ALICE", "WL-DAVE"]
    assert report.images_enrolled == 3
    assert [e.path for e in report.errors] == [
        str(root / "alice" / "bad.jpg"),
        str(root / "carol" / "bad1.jpg"),
    ]
    assert report.subjects_without_template == ["WL-CAROL"]
    [refusal] = report.refused
    assert "WL-BOB" in refusal and "'littering' is not allowed" in refusal
    assert "bob/1.jpg" not in enroller.calls  # a refused subject's photos are not enrolled
    entries = {e.reference: e for e in list_entries(now, MANAGER, wl)}
    assert set(entries) == {"WL-ALICE", "WL-DAVE"}
    assert entries["WL-ALICE"].images == 2 and entries["WL-ALICE"].added_by == MANAGER.username
    assert entries["WL-ALICE"].category == DEFAULT_CATEGORIES[1]
    [summary] = audit_entries(now, "watchlist.import")
    assert summary.details == {
        "subjects": 4,
        "added": 2,
        "images_enrolled": 3,
        "refused": 1,
        "photos_skipped": 2,
        "subjects_without_template": 1,
    }
    assert len(audit_entries(now, "watchlist.entry.add")) == 2
    chain_ok(now)


def test_import_reports_duplicates_and_other_models_per_subject(
    now: Services, wl: int, tmp_path: Path
) -> None:
    add_entry(now, MANAGER, wl, subject("WL-ALICE"), [template(subject("WL-ALICE"))], IN_10_DAYS)
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg"], meta("WL-ALICE"))
    make_subject_dir(root, "erin", ["1.jpg"], meta("WL-ERIN"))
    other = EmbeddingContract("other-model", "1" * 64, 4, "fake")

    report = enrol_folder_into(now, MANAGER, wl, root, FakeEnroller(other), IN_10_DAYS, False)

    assert report.added == []
    assert len(report.refused) == 2
    assert "already on this watchlist" in report.refused[0]
    assert "WL-ERIN" in report.refused[1] and "different embedding contract" in report.refused[1]


@pytest.mark.parametrize(
    ("bob_meta", "expected"),
    [
        (None, "bob (no subject.json)"),
        ({"reference": "WL-BOB", "display_name": "Bob"}, "bob (subject.json lacks category,"),
        (meta("WL-BOB", reason=""), "bob (subject.json lacks reason)"),
        (meta("WL-BOB", image_source=" "), "bob (subject.json lacks image_source)"),
    ],
)
def test_import_needs_complete_metadata_in_every_folder(
    now: Services,
    wl: int,
    tmp_path: Path,
    bob_meta: dict[str, str] | None,
    expected: str,
) -> None:
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg"], meta("WL-ALICE"))
    make_subject_dir(root, "bob", ["1.jpg"], bob_meta)
    enroller = FakeEnroller()
    before = counts(now)

    with pytest.raises(WatchlistError) as caught:
        enrol_folder_into(now, MANAGER, wl, root, enroller, IN_10_DAYS, progress=False)

    assert expected in str(caught.value) and "alice" not in str(caught.value)
    assert enroller.calls == [] and counts(now) == before


def test_import_with_a_bad_expiry_is_refused_before_enrolling(
    now: Services, wl: int, tmp_path: Path
) -> None:
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg"], meta("WL-ALICE"))
    enroller = FakeEnroller()
    before = counts(now)
    with pytest.raises(PolicyViolationError, match="more than 31 days away"):
        enrol_folder_into(now, MANAGER, wl, root, enroller, T0 + timedelta(days=60), False)
    assert enroller.calls == [] and counts(now) == before


# --- command line ------------------------------------------------------------------------------


@pytest.fixture
def cli(services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Services:
    add_users(services)
    monkeypatch.setenv("LFR_DATA_DIR", str(settings.data_dir))
    assert settings.database_url is not None
    monkeypatch.setenv("LFR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LFR_USER", MANAGER.username)
    monkeypatch.setenv("LFR_PASSWORD", PASSWORD)
    monkeypatch.delenv("LFR_DATA_KEY", raising=False)
    monkeypatch.setattr("lfr.app.LazyEnroller", FakeEnroller)
    return services


def test_cli_watchlist_lifecycle(
    cli: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg", "bad.jpg"], meta("WL-ALICE"))
    make_subject_dir(root, "dave", ["1.jpg"], meta("WL-DAVE"))

    assert main(["watchlist", "create", "op-kestrel"]) == 0
    assert "created" in capsys.readouterr().out
    assert (
        main(["watchlist", "import", str(root), "--into", "op-kestrel", "--expires-days", "7"]) == 0
    )
    captured = capsys.readouterr()
    assert "2 of 2 subjects added" in captured.out
    assert "bad.jpg: no face found" in captured.err

    assert main(["watchlist", "entries", "op-kestrel", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["reference"] for e in listed] == ["WL-ALICE", "WL-DAVE"]
    assert all(e["status"] == "active" and e["added_by"] == MANAGER.username for e in listed)
    assert {"template_enc", "embedding", "face_jpeg"}.isdisjoint(listed[0])

    assert main(["watchlist", "remove", "op-kestrel", "WL-DAVE", "--reason", "arrested"]) == 0
    capsys.readouterr()
    assert main(["watchlist", "entries", "op-kestrel"]) == 0
    out = capsys.readouterr().out
    assert "WL-ALICE" in out and "WL-DAVE" not in out
    assert main(["watchlist", "entries", "op-kestrel", "--all"]) == 0
    assert "removed" in capsys.readouterr().out
    assert main(["watchlist", "list"]) == 0
    assert "1 active of 2 entries" in capsys.readouterr().out
    assert len(audit_entries(cli, "watchlist.entry.remove")) == 1


def test_cli_watchlist_refusals_are_one_line(
    cli: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "watchlist"
    make_subject_dir(root, "alice", ["1.jpg"], meta("WL-ALICE"))
    make_subject_dir(root, "erin", ["1.jpg"], None)
    assert main(["watchlist", "create", "op-kestrel"]) == 0
    capsys.readouterr()
    before = counts(cli)

    args = ["watchlist", "import", str(root), "--into", "op-kestrel", "--expires-days", "7"]
    assert main(args) == WatchlistError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "erin (no subject.json)" in err

    (root / "erin" / "subject.json").write_text(json.dumps(meta("WL-ERIN", category="gossip")))
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "1 of 2 subjects added" in captured.out and "'gossip' is not allowed" in captured.err

    long_args = [*args[:-1], "90"]
    assert main(long_args) == PolicyViolationError.exit_code
    assert "more than 31 days away" in capsys.readouterr().err

    monkeypatch.setenv("LFR_USER", OPERATOR.username)
    assert main(["watchlist", "create", "other"]) == PermissionDeniedError.exit_code
    assert main(["watchlist", "entries", "op-kestrel"]) == PermissionDeniedError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err

    monkeypatch.setenv("LFR_USER", MANAGER.username)
    assert (
        main(["watchlist", "remove", "op-kestrel", "WL-NOBODY", "--reason", "x"])
        == NotFoundError.exit_code
    )
    assert main(["watchlist", "entries", "no-such-list"]) == NotFoundError.exit_code
    assert capsys.readouterr().err.count("\n") == 2
    entries, images, _ = counts(cli)
    assert (entries, images) == (before[0] + 1, before[1] + 1)
