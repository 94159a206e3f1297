"""Tampering with the audit log straight in the database (SQL, as an intruder with database
access but without the signing key would) is detected, and the first bad entry is named."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import JSON, bindparam, text

from lfr.access.services import Services
from lfr.audit.log import AuditLog, VerifyReport, entry_hash
from lfr.store.keys import load_keys
from lfr.store.tables import UtcDateTime
from tests.gov.factories import audit_entries

ENTRIES = 6

INSERT = text(
    "INSERT INTO audit_log (seq, at, actor, action, target, details, prev_hash, hash, signature)"
    " VALUES (:seq, :at, :actor, :action, :target, :details, :prev, :hash, :sig)"
).bindparams(bindparam("at", type_=UtcDateTime()), bindparam("details", type_=JSON()))


@pytest.fixture
def chain(services: Services) -> Services:
    with services.transaction() as session:
        for i in range(1, ENTRIES + 1):
            services.record(
                session, "olive", "alert.adjudicate", f"alert:{i}", {"n": i, "note": "ok"}
            )
    return services


def _verify(services: Services) -> VerifyReport:
    with services.transaction() as session:
        return services.audit.verify(session)


def _sql(services: Services, statement: str, **params: object) -> None:
    with services.transaction() as session:
        session.execute(text(statement), params)


def test_intact_chain_verifies(chain: Services) -> None:
    report = _verify(chain)
    assert report.ok and report.entries == ENTRIES and report.first_bad_seq is None
    assert report.head_hash == audit_entries(chain)[-1].hash


def test_altered_details_field(chain: Services) -> None:
    _sql(chain, """UPDATE audit_log SET details = '{"n": 3, "note": "changed"}' WHERE seq = 3""")
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 3 and report.entries == 2
    assert "altered" in report.problem


def test_altered_timestamp(chain: Services) -> None:
    entry = audit_entries(chain)[1]
    statement = text("UPDATE audit_log SET at = :at WHERE seq = 2").bindparams(
        bindparam("at", type_=UtcDateTime())
    )
    with chain.transaction() as session:
        session.execute(statement, {"at": entry.at - timedelta(hours=3)})
    assert audit_entries(chain)[1].at == entry.at - timedelta(hours=3)  # the edit really landed
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 2 and "altered" in report.problem


def test_altered_actor_with_recomputed_hash_fails_the_signature(chain: Services) -> None:
    """Rewriting an entry and its hash is not enough: the signature needs the private key."""
    entry = audit_entries(chain)[3]
    forged = entry_hash(
        entry.seq, entry.at, "mallory", entry.action, entry.target, entry.details, entry.prev_hash
    )
    _sql(chain, "UPDATE audit_log SET actor = 'mallory', hash = :h WHERE seq = 4", h=forged)
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 4
    assert "signature" in report.problem


def test_deleted_middle_entry(chain: Services) -> None:
    _sql(chain, "DELETE FROM audit_log WHERE seq = 3")
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 4
    assert "entry 3 is missing" in report.problem


def test_renumbered_after_deletion(chain: Services) -> None:
    """Closing the gap left by a deletion breaks the chain link instead."""
    _sql(chain, "DELETE FROM audit_log WHERE seq = 3")
    for seq in range(4, ENTRIES + 1):
        _sql(chain, "UPDATE audit_log SET seq = :new WHERE seq = :old", new=seq - 1, old=seq)
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 3
    assert "does not follow" in report.problem


def test_swapped_entries(chain: Services) -> None:
    """Reordering: entries 2 and 3 swap places (each row keeps its content, not its seq)."""
    _sql(chain, "UPDATE audit_log SET seq = -1 WHERE seq = 2")
    _sql(chain, "UPDATE audit_log SET seq = 2 WHERE seq = 3")
    _sql(chain, "UPDATE audit_log SET seq = 3 WHERE seq = -1")
    assert [e.target for e in audit_entries(chain)[:4]] == [
        "alert:1",
        "alert:3",
        "alert:2",
        "alert:4",
    ]
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 2
    assert "does not follow" in report.problem


def test_swapped_contents_in_place(chain: Services) -> None:
    """The contents of entries 2 and 5 are exchanged while their sequence numbers stay."""
    entries = {e.seq: e for e in audit_entries(chain)}
    columns = ("at", "actor", "action", "target", "details", "prev_hash", "hash", "signature")
    statement = text(
        "UPDATE audit_log SET at = :at, actor = :actor, action = :action, target = :target,"
        " details = :details, prev_hash = :prev_hash, hash = :hash, signature = :signature"
        " WHERE seq = :seq"
    ).bindparams(bindparam("at", type_=UtcDateTime()), bindparam("details", type_=JSON()))
    with chain.transaction() as session:
        for seq, other in ((2, 5), (5, 2)):
            values = {c: getattr(entries[other], c) for c in columns}
            session.execute(statement, {**values, "seq": seq})
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 2
    assert "does not follow" in report.problem


def _forge(
    services: Services,
    key: Ed25519PrivateKey,
    seq: int,
    prev: str,
    actor: str = "mallory",
    action: str = "alert.adjudicate",
) -> str:
    at = services.clock()
    details = {"n": seq, "note": "forged"}
    digest = entry_hash(seq, at, actor, action, f"alert:{seq}", details, prev)
    with services.transaction() as session:
        session.execute(
            INSERT,
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "target": f"alert:{seq}",
                "details": details,
                "prev": prev,
                "hash": digest,
                "sig": key.sign(bytes.fromhex(digest)).hex(),
            },
        )
    return digest


def test_forged_entry_signed_with_another_key(chain: Services) -> None:
    """A well-formed entry appended at the end, chained and hashed correctly, but signed with
    a key that is not the log's."""
    head = audit_entries(chain)[-1].hash
    _forge(chain, Ed25519PrivateKey.generate(), ENTRIES + 1, head)
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == ENTRIES + 1
    assert report.entries == ENTRIES
    assert "signature" in report.problem


def test_forged_tail_rewritten_with_another_key(chain: Services) -> None:
    """Entries 3.. replaced by a consistent forged chain signed with the intruder's key."""
    key = Ed25519PrivateKey.generate()
    prev = audit_entries(chain)[1].hash
    _sql(chain, "DELETE FROM audit_log WHERE seq >= 3")
    for seq in range(3, ENTRIES + 1):
        prev = _forge(chain, key, seq, prev)
    report = _verify(chain)
    assert not report.ok and report.first_bad_seq == 3 and "signature" in report.problem


def test_forged_entry_with_the_real_key_verifies(chain: Services) -> None:
    """Control: the same insert signed with the log's own key passes, so the test above fails
    for the signature alone."""
    head = audit_entries(chain)[-1].hash
    _forge(chain, load_keys(chain.data_dir, {}).audit_signing, ENTRIES + 1, head)
    assert _verify(chain).ok


def test_wrong_public_key_rejects_the_first_entry(chain: Services) -> None:
    other = AuditLog(None, Ed25519PrivateKey.generate().public_key())
    with chain.transaction() as session:
        report = other.verify(session)
    assert not report.ok and report.first_bad_seq == 1 and "signature" in report.problem
