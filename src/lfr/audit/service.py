"""Reading, exporting and verifying the audit log: the services the CLI and HTTP API share.

Verification needs only the database and the audit PUBLIC key, so an oversight body can check
the chain without holding any key that writes it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.audit.alerts import alert_problems, summarise
from lfr.audit.heads import PublishedHead, head_problems
from lfr.audit.known_head import known_head_problem, parse_known_head
from lfr.audit.log import AuditLog, VerifyReport
from lfr.errors import LfrError
from lfr.store.db import Database
from lfr.store.tables import AuditEntry

FORMATS: Final = ("csv", "json")
CSV_COLUMNS: Final = (
    "seq",
    "at",
    "actor",
    "action",
    "target",
    "details",
    "prev_hash",
    "hash",
    "signature",
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One entry of the audit chain as oversight reads it: what was done, by whom, to what, and
    the hashes and signature that chain it to the entry before."""

    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    signature: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
            "signature": self.signature,
        }


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        dict(entry.details),
        entry.prev_hash,
        entry.hash,
        entry.signature,
    )


def read_audit(
    services: Services,
    actor: Actor,
    action: str | None = None,
    actor_name: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
) -> list[AuditRecord]:
    """Audit entries in chain order, optionally filtered (``action`` also matches a prefix
    ending in '.', e.g. "alert." for every alert action)."""
    require(actor, Action.AUDIT_READ)
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if action is not None:
        if action.endswith("."):
            query = query.where(AuditEntry.action.startswith(action, autoescape=True))
        else:
            query = query.where(AuditEntry.action == action)
    if actor_name is not None:
        query = query.where(AuditEntry.actor == actor_name)
    if since is not None:
        if since.tzinfo is None:
            raise LfrError("'since' needs a time zone (e.g. 2025-01-31T00:00:00+00:00)")
        query = query.where(AuditEntry.at >= since)
    if limit is not None:
        query = query.limit(limit)
    with services.transaction() as session:
        return [_record(entry) for entry in session.scalars(query)]


def render(records: list[AuditRecord], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.as_json() for r in records], indent=1, sort_keys=True) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in records:
            body = record.as_json()
            body["details"] = json.dumps(record.details, sort_keys=True)
            writer.writerow([body[column] for column in CSV_COLUMNS])
        return buffer.getvalue()
    raise LfrError(f"export format must be one of: {', '.join(FORMATS)}")


def export_audit(services: Services, actor: Actor, fmt: str, destination: str) -> str:
    """The whole log (with hashes and signatures, so it can be verified elsewhere), rendered
    as CSV or JSON. The export is audited with the number of entries and the head hash it
    covers, in the same transaction that reads them."""
    require(actor, Action.AUDIT_READ)
    if fmt not in FORMATS:
        raise LfrError(f"export format must be one of: {', '.join(FORMATS)}")
    with services.transaction() as session:
        records = [_record(e) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
        text = render(records, fmt)
        services.record(
            session,
            actor.username,
            "audit.export",
            "audit_log",
            {
                "format": fmt,
                "entries": len(records),
                "head": records[-1].hash if records else None,
                "to": destination,
            },
        )
        return text


def verify_chain(
    db: Database,
    public_key: Ed25519PublicKey,
    known_head: str | None = None,
    published: Sequence[PublishedHead] = (),
) -> VerifyReport:
    """Check every entry's sequence, chain link, hash and signature with the public key only;
    then that the chain still holds every published head (``published``, the regular
    publications; and the head in each published record) and ``known_head``, the head hash
    oversight saw at its last verification, so entries cut off the end are found; then that
    the alert table agrees with the chain (a row added, removed or altered is named).
    A ``known_head`` that is mistyped rather than missing raises KnownHeadError."""
    head = parse_known_head(known_head) if known_head is not None else None
    with db.transaction() as session:
        report = AuditLog(None, public_key).verify(session)
        if not report.ok:
            return report
        problems = []
        if head is not None and (missing := known_head_problem(session, head)) is not None:
            problems.append(missing)
        problems += head_problems(session, list(published), public_key)
        problems += alert_problems(session)
    if not problems:
        return report
    return dataclasses.replace(
        report, ok=False, problem=summarise(problems), problems=tuple(problems)
    )
