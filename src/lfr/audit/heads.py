"""Publishing the audit chain's head, so that entries cut off its end are detected.

Removing the newest entries leaves a shorter chain that is still valid. So the head (the last
entry's hash) is published where a cut cannot reach it unnoticed: in every published deployment
record (``RECORD_KEY``), and regularly (``lfr.centre.head_publisher`` in ``lfr serve``, or
``lfr audit publish-head`` from cron) to ``<data dir>/published/audit_heads.jsonl``, whose
newest line the public page shows. Each line carries the entry's own Ed25519 signature, so a
forged publication is told apart from a cut. ``head_problems`` is what verification checks:
every published head must still be in the chain.

Publishing writes no audit entry (that would move the head it publishes).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.store.tables import AuditEntry, DeploymentRecord

HEADS_FILE: Final = Path("published") / "audit_heads.jsonl"
RECORD_KEY: Final = "audit_head"
"""Key of a published record's body: the chain's head hash when the record was published."""


@dataclass(frozen=True, slots=True)
class PublishedHead:
    seq: int
    hash: str
    signature: str
    """The Ed25519 signature of that entry, as in the chain."""
    published_at: str


def heads_path(data_dir: Path) -> Path:
    return data_dir / HEADS_FILE


def latest_hash(session: Session) -> str | None:
    """The chain's head hash now (None for an empty log)."""
    return session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))


def publish_head(session: Session, data_dir: Path, now: datetime) -> PublishedHead | None:
    """Append the chain's head to the published heads, unless it is already the newest there;
    returns what was published (None when nothing new)."""
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash, AuditEntry.signature)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    path = heads_path(data_dir)
    published = read_heads(path)
    if published and published[-1].hash == last.hash:
        return None
    head = PublishedHead(
        int(last.seq), last.hash, last.signature, now.isoformat(timespec="seconds")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(head), sort_keys=True) + "\n")
    return head


def read_heads(path: Path) -> list[PublishedHead]:
    """The heads published to ``path``, oldest first; none when it does not exist. A line that
    is not a head is kept as one that can never verify, so damage is reported, not skipped
    (except an unfinished last line)."""
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = content.splitlines()
    if lines and not content.endswith("\n"):
        lines.pop()  # a line cut short by a crash while it was written: never published
    heads = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            body = json.loads(line)
            heads.append(
                PublishedHead(
                    int(body["seq"]),
                    str(body["hash"]),
                    str(body["signature"]),
                    str(body["published_at"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            heads.append(PublishedHead(0, "", "", f"line {number} of {path.name} (unreadable)"))
    return heads


def latest_published(data_dir: Path) -> PublishedHead | None:
    """The newest head published to the data directory: what the public page shows."""
    heads = read_heads(heads_path(data_dir))
    return heads[-1] if heads else None


def head_problems(
    session: Session, published: list[PublishedHead], public_key: Ed25519PublicKey
) -> list[str]:
    """Every published head (regular publications and published records) that the chain no
    longer holds: entries were cut from its end, or the log was rebuilt."""
    chain = {
        digest: seq for digest, seq in session.execute(select(AuditEntry.hash, AuditEntry.seq))
    }
    problems = []
    for head in published:
        where = f"the head published at {head.published_at}"
        if not _signed(head, public_key):
            problems.append(f"{where} is not signed by this log's key (a forged publication)")
        elif chain.get(head.hash) != head.seq:
            problems.append(_cut(where, head.hash))
    for deployment_id, body in session.execute(
        select(DeploymentRecord.deployment_id, DeploymentRecord.body)
    ):
        published_hash = body.get(RECORD_KEY)
        if published_hash and published_hash not in chain:
            where = f"the head published in the record of deployment {deployment_id}"
            problems.append(_cut(where, str(published_hash)))
    return problems


def _signed(head: PublishedHead, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(bytes.fromhex(head.signature), bytes.fromhex(head.hash))
    except (InvalidSignature, ValueError):
        return False
    return True


def _cut(where: str, digest: str) -> str:
    return (
        f"{where} ({digest[:16]}...) is no longer in the log: entries were cut from its end,"
        " or the log was rebuilt"
    )
