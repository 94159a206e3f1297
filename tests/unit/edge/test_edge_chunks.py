"""A sealed snapshot split into chunks is put together again only whole and unaltered: a
missing, corrupted or out-of-range chunk is refused with what is wrong, and nothing opened."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lfr.edge.protocol import SnapshotChunk, StartCommand
from lfr.edge.wire.chunks import SnapshotAssembler, split_start
from lfr.errors import IntegrityError

SEALED = "QUJD" * 5_000  # stands in for base64 ciphertext


def _split(chunk_chars: int = 3_000) -> tuple[StartCommand, list[SnapshotChunk]]:
    return split_start(StartCommand(3, ("cam1=x",), 1e9, 0.6, "key", SEALED), chunk_chars)


def test_a_small_snapshot_stays_inline_and_a_large_one_reassembles_in_any_order() -> None:
    inline, none = _split(chunk_chars=len(SEALED))
    assert none == [] and inline.snapshot == SEALED and inline.snapshot_chunks == 0
    command, chunks = _split()
    assert command.snapshot == "" and command.snapshot_chunks == len(chunks) == 7
    assembler = SnapshotAssembler()
    for chunk in reversed(chunks):
        assembler.add(chunk)
    assert assembler.sealed_text(command) == SEALED
    with pytest.raises(IntegrityError, match="none of its 7 chunks arrived"):
        assembler.sealed_text(command)  # taken once: nothing kept after


def test_a_missing_chunk_is_refused_naming_it() -> None:
    command, chunks = _split()
    assembler = SnapshotAssembler()
    for chunk in chunks[:2] + chunks[3:]:
        assembler.add(chunk)
    with pytest.raises(IntegrityError, match=r"snapshot not opened: chunks missing \(2 of 7\)"):
        assembler.sealed_text(command)


def test_a_corrupted_chunk_is_refused_by_the_digest() -> None:
    command, chunks = _split()
    assembler = SnapshotAssembler()
    for chunk in chunks:
        altered = replace(chunk, data="QUJE" + chunk.data[4:]) if chunk.index == 4 else chunk
        assembler.add(altered)
    with pytest.raises(IntegrityError, match="do not match its digest"):
        assembler.sealed_text(command)


def test_a_chunk_out_of_range_or_disagreeing_on_the_count_is_refused() -> None:
    _, chunks = _split()
    assembler = SnapshotAssembler()
    with pytest.raises(IntegrityError, match="out of range"):
        assembler.add(replace(chunks[0], index=7))
    assembler.add(chunks[0])
    with pytest.raises(IntegrityError, match="disagree on their count"):
        assembler.add(replace(chunks[1], total=8))
