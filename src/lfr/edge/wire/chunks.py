"""A sealed watchlist snapshot too large for one NATS message goes down in chunks.

nats-server refuses a message over its ``max_payload`` (1 MB by default); a watchlist of 5,000
entries seals to several MB. So the centre sends the sealed text in ``CHUNK_CHARS`` pieces on
the node's own ``lfr.down.<node>.snapshot.<deployment>`` subject (inside the node's down
subjects: no new permission), each naming the SHA-256 of the whole, then the start command
naming the count and the digest. The node keeps the pieces in memory only, and opens nothing
unless every piece arrived and the whole matches the digest. Pieces are ciphertext: a node
that misses one holds nothing readable.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace

from nats.js import JetStreamContext

from lfr.edge import protocol as proto
from lfr.edge.jetstream import send_command
from lfr.edge.protocol import SnapshotChunk, StartCommand
from lfr.errors import IntegrityError

CHUNK_CHARS = 256 * 1024
"""Characters of sealed (base64) text per chunk: far below the default 1 MB ``max_payload``."""
KEPT_SNAPSHOTS = 4
"""Snapshots being assembled at once on a node, at most (older ones are forgotten)."""


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def split_start(
    command: StartCommand, chunk_chars: int = CHUNK_CHARS
) -> tuple[StartCommand, list[SnapshotChunk]]:
    """The command as sent, and the chunks to send before it (none when it fits inline)."""
    sealed = command.snapshot
    if len(sealed) <= chunk_chars:
        return command, []
    digest = sha256_hex(sealed)
    pieces = [sealed[i : i + chunk_chars] for i in range(0, len(sealed), chunk_chars)]
    chunks = [
        SnapshotChunk(command.deployment_id, index, len(pieces), digest, piece)
        for index, piece in enumerate(pieces)
    ]
    sent = replace(command, snapshot="", snapshot_chunks=len(pieces), snapshot_sha256=digest)
    return sent, chunks


async def send_start(
    js: JetStreamContext, node: str, command: StartCommand, msg_id: str | None = None
) -> None:
    """The snapshot's chunks (if it needs them), then the command, into the down stream."""
    sent, chunks = split_start(command)
    base = msg_id or f"start-{command.deployment_id}-{node}"
    for chunk in chunks:
        await js.publish(
            proto.snapshot_subject(node, command.deployment_id),
            proto.encode(chunk),
            headers={"Nats-Msg-Id": f"{base}-chunk-{chunk.index}"},
        )
    await send_command(js, node, sent, base)


@dataclass
class _Pieces:
    total: int
    parts: dict[int, str] = field(default_factory=dict)


class SnapshotAssembler:
    """On a node: the chunks received so far, by snapshot digest (memory only, bounded)."""

    def __init__(self, kept: int = KEPT_SNAPSHOTS) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._snapshots: dict[tuple[int, str], _Pieces] = {}

    def add(self, chunk: SnapshotChunk) -> None:
        if not 0 <= chunk.index < chunk.total:
            raise IntegrityError(
                f"deployment {chunk.deployment_id}: snapshot chunk {chunk.index} of"
                f" {chunk.total} is out of range"
            )
        key = (chunk.deployment_id, chunk.sha256)
        with self._lock:
            pieces = self._snapshots.setdefault(key, _Pieces(chunk.total))
            if pieces.total != chunk.total:
                raise IntegrityError(
                    f"deployment {chunk.deployment_id}: snapshot chunks disagree on their count"
                )
            pieces.parts[chunk.index] = chunk.data
            while len(self._snapshots) > self._kept:  # the oldest first (insertion order)
                del self._snapshots[next(iter(self._snapshots))]

    def sealed_text(self, command: StartCommand) -> str:
        """The sealed snapshot ``command`` names, inline or reassembled (and forgotten here);
        IntegrityError, saying what is wrong, when a chunk is missing or the whole does not
        match its digest: nothing is opened then."""
        if not command.snapshot_chunks:
            return command.snapshot
        what = f"deployment {command.deployment_id}: snapshot not opened"
        with self._lock:
            pieces = self._snapshots.pop((command.deployment_id, command.snapshot_sha256), None)
        if pieces is None:
            raise IntegrityError(f"{what}: none of its {command.snapshot_chunks} chunks arrived")
        if pieces.total != command.snapshot_chunks:
            raise IntegrityError(f"{what}: its chunks and its command disagree on their count")
        missing = [i for i in range(command.snapshot_chunks) if i not in pieces.parts]
        if missing:
            raise IntegrityError(
                f"{what}: chunks missing ({_few(missing)} of {command.snapshot_chunks})"
            )
        whole = "".join(pieces.parts[i] for i in range(pieces.total))
        if sha256_hex(whole) != command.snapshot_sha256:
            raise IntegrityError(f"{what}: its chunks do not match its digest (corrupted)")
        return whole


def _few(indexes: list[int]) -> str:
    shown = ", ".join(str(i) for i in indexes[:5])
    return f"{shown} and {len(indexes) - 5} more" if len(indexes) > 5 else shown or "none"
