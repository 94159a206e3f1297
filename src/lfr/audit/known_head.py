"""The head hash oversight kept from its last verification, checked against the chain now.

A head that is missing from the chain means entries were cut off its end: the chain is broken.
But a head can also be typed or pasted wrongly, and that is not a break. So a typing mistake is
told apart, and reported as such, only where it certainly is one: the text is not a head at all
(wrong length, not hexadecimal, a bad entry number), or it is a near-copy of a head that IS in
the chain (a few characters differ; two different SHA-256 hashes share ~4 of 64 characters by
chance, so a near-copy is never a real head that was cut). Anything else missing is a break.

A head is typed as its 64 hexadecimal characters, optionally after its entry number and a
colon ("812:3fa4...") as the verification result shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lfr.errors import LfrError
from lfr.store.tables import AuditEntry

HASH_LENGTH: Final = 64
NEAR_COPY: Final = 4
"""At most this many characters differ in a mistyped copy of a real head."""
_ANCHOR: Final = 8  # a near-copy keeps its first or its last 8 characters (NEAR_COPY < 8)
_FORM: Final = re.compile(r"^(?:(?P<seq>[^:]*):)?(?P<hash>[^:]*)$")


class KnownHeadError(LfrError):
    """The known head given is not a head of this chain as typed: a mistake, not a break."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the head you typed is not valid: {reason}")


@dataclass(frozen=True, slots=True)
class KnownHead:
    hash: str
    seq: int | None = None


def parse_known_head(text: str) -> KnownHead:
    """'<64 hex>' or '<entry number>:<64 hex>'; a KnownHeadError says what is wrong."""
    match = _FORM.match(text.strip())
    if match is None:
        raise KnownHeadError("write the 64-character head hash, optionally as <entry>:<hash>")
    digest = match["hash"].strip().lower()
    if len(digest) != HASH_LENGTH:
        raise KnownHeadError(
            f"a head hash has {HASH_LENGTH} characters, this one has {len(digest)}"
        )
    if not re.fullmatch(r"[0-9a-f]+", digest):
        raise KnownHeadError("a head hash has only the characters 0-9 and a-f")
    seq_text = match["seq"]
    if seq_text is None:
        return KnownHead(digest)
    seq_text = seq_text.strip().lstrip("#")
    if not seq_text.isdigit() or not 1 <= int(seq_text) <= 10**12:
        raise KnownHeadError(f"the entry number before ':' must be a positive number: {seq_text!r}")
    return KnownHead(digest, int(seq_text))


def known_head_problem(session: Session, head: KnownHead) -> str | None:
    """None when ``head`` is in the chain; a break (entries cut off its end) when it is not;
    KnownHeadError when what was typed is a near-copy of a real head or names the wrong entry.
    The chain itself must already have been verified (its entries are authentic)."""
    found = session.scalar(select(AuditEntry.seq).where(AuditEntry.hash == head.hash))
    if found is not None:
        if head.seq is not None and head.seq != found:
            raise KnownHeadError(f"that hash is entry {found}'s, not entry {head.seq}'s")
        return None
    near = _near_copy(session, head.hash)
    if near is not None:
        seq, digest, differing = near
        raise KnownHeadError(
            f"it differs in {differing} character{'s' if differing > 1 else ''} from the head"
            f" of entry {seq} ({digest[:16]}...): check what you copied"
        )
    return (
        f"the previously verified head {head.hash[:16]}... is no longer in the log"
        " (entries removed from its end, or the log was rebuilt)"
    )


def _near_copy(session: Session, digest: str) -> tuple[int, str, int] | None:
    """The chain's entry whose hash differs from ``digest`` in at most NEAR_COPY places."""
    candidates = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).where(
            or_(
                AuditEntry.hash.startswith(digest[:_ANCHOR]),
                AuditEntry.hash.endswith(digest[-_ANCHOR:]),
            )
        )
    )
    for seq, candidate in candidates:
        differing = sum(a != b for a, b in zip(candidate, digest, strict=True))
        if differing <= NEAR_COPY:
            return int(seq), str(candidate), differing
    return None
