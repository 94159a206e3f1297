"""Append-only, hash-chained, signed audit log.

Each entry holds the hash of the one before; its own hash covers its sequence number, time,
actor, action, target, details and that previous hash; an Ed25519 signature covers its hash.
Altering an entry breaks its hash, removing or reordering entries breaks the sequence or the
chain, and forging a whole new chain needs the signing key (verification needs only the public
key, so oversight can check the log without being able to write it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from lfr.store.tables import AuditEntry

GENESIS = "0" * 64
_PG_AUDIT_LOCK = 7_041_985  # serialises appends across processes on PostgreSQL


def entry_hash(
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    target: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "target": target,
            "details": details,
            "prev": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str = ""
    head_hash: str = GENESIS
    problems: tuple[str, ...] = ()
    """Every problem found beyond the chain itself (published heads, the alert table)."""


class AuditLog:
    def __init__(
        self,
        signing_key: Ed25519PrivateKey | None,
        public_key: Ed25519PublicKey,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._signing_key = signing_key
        self._public_key = public_key
        self._clock = clock

    def append(
        self,
        session: Session,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Add an entry in the caller's transaction: it commits or rolls back with the action."""
        if self._signing_key is None:
            raise PermissionError("this audit log was opened for verification only")
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_AUDIT_LOCK})
        elif dialect == "sqlite":
            # pysqlite opens a transaction only at the first write, so the last entry read below
            # could be stale by the time of the insert (two threads, one seq). A write that
            # changes nothing takes SQLite's write lock now, until this transaction ends.
            session.execute(text("UPDATE audit_log SET seq = seq WHERE 0"))
        last = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = self._clock()
        body = _plain(details or {})
        digest = entry_hash(seq, at, actor, action, target, body, prev)
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            target=target,
            details=body,
            prev_hash=prev,
            hash=digest,
            signature=self._signing_key.sign(bytes.fromhex(digest)).hex(),
        )
        session.add(entry)
        session.flush()
        return entry

    def verify(self, session: Session) -> VerifyReport:
        expected_prev, expected_seq, count = GENESIS, 1, 0
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            problem = self._check(entry, expected_seq, expected_prev)
            if problem:
                return VerifyReport(False, count, entry.seq, problem, expected_prev)
            expected_prev, expected_seq, count = entry.hash, entry.seq + 1, count + 1
        return VerifyReport(True, count, head_hash=expected_prev)

    def _check(self, entry: AuditEntry, seq: int, prev: str) -> str:
        if entry.seq != seq:
            return f"entry {seq} is missing (next found is {entry.seq})"
        if entry.prev_hash != prev:
            return "does not follow the previous entry (removed, reordered or altered)"
        recomputed = entry_hash(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.target,
            entry.details,
            entry.prev_hash,
        )
        if recomputed != entry.hash:
            return "content does not match its hash (altered)"
        try:
            self._public_key.verify(bytes.fromhex(entry.signature), bytes.fromhex(entry.hash))
        except (InvalidSignature, ValueError):
            return "signature is not valid for this log's key"
        return ""

    @staticmethod
    def count(session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def _plain(details: dict[str, Any]) -> dict[str, Any]:
    """JSON round trip, so the hash is computed over exactly what the database stores."""
    loaded: dict[str, Any] = json.loads(json.dumps(details, default=str))
    return loaded
