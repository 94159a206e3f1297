"""The sealed snapshot's binary body: what the centre packs, the node opens to the same
watchlist and crop key, and the wipe leaves nothing of either."""

from __future__ import annotations

import os

import numpy as np
import pytest

from lfr.domain import Subject, Template
from lfr.edge.wire.snapshot import SealedSnapshot, open_snapshot, seal_snapshot
from lfr.errors import IntegrityError
from lfr.imaging import ImageReadError, decode_jpeg, encode_jpeg
from lfr.match.watchlist import Watchlist
from lfr.wipe import zero
from tests.unit.fakes import CONTRACT


def _watchlist() -> Watchlist:
    rng = np.random.default_rng(5)
    templates = [
        Template(
            Subject(f"WL-{i}", f"Person {i}", "violent offences", "warrant", "custody"),
            rng.normal(size=CONTRACT.dimension).astype(np.float32),
            CONTRACT,
            f"{i}.jpg",
            encode_jpeg(rng.integers(0, 255, (30, 20 + i, 3), dtype=np.uint8)),
        )
        for i in range(3)
    ]
    return Watchlist.from_templates(CONTRACT, templates)


def test_a_snapshot_opens_to_the_same_watchlist_and_crop_key_and_its_wipe_zeroes_them() -> None:
    watchlist, key, crops = _watchlist(), os.urandom(32), os.urandom(32)
    opened = open_snapshot(key, "node1", 9, seal_snapshot(key, "node1", 9, watchlist, crops))
    assert opened.watchlist.digest() == watchlist.digest()
    assert bytes(opened.crop_key) == crops
    held = [opened.watchlist.template(i) for i in range(opened.watchlist.size)]
    assert [bytes(t.face_jpeg) for t in held] == [
        bytes(watchlist.template(i).face_jpeg) for i in range(3)
    ]
    opened.wipe()
    assert opened.watchlist.size == 0 and opened.watchlist.nearest(held[0].embedding) == []
    assert not any(opened.crop_key)
    assert all(not any(t.face_jpeg) and not t.embedding.any() for t in held)


def test_a_snapshot_sealed_for_another_node_or_deployment_or_altered_does_not_open() -> None:
    key = os.urandom(32)
    sealed = seal_snapshot(key, "node1", 9, _watchlist(), os.urandom(32))
    for node, deployment in (("node2", 9), ("node1", 10)):
        with pytest.raises(IntegrityError):
            open_snapshot(key, node, deployment, sealed)
    text = sealed.snapshot_sealed
    altered = SealedSnapshot(
        sealed.key_wrapped, text[:40] + ("A" if text[40] != "A" else "B") + text[41:]
    )
    with pytest.raises(IntegrityError):
        open_snapshot(key, "node1", 9, altered)


def test_zero_overwrites_mutable_buffers_and_leaves_immutable_ones() -> None:
    mutable, array, fixed = bytearray(b"face"), np.ones(4, np.float32), b"face"
    zero(mutable, array, fixed, memoryview(bytearray()))
    assert mutable == bytearray(4) and not array.any() and fixed == b"face"


def test_an_own_crop_decodes_in_place_and_anything_else_is_refused() -> None:
    picture = np.full((12, 10, 3), (200, 30, 30), np.uint8)
    decoded = decode_jpeg(bytearray(encode_jpeg(picture)))
    assert decoded.shape == (12, 10, 3) and abs(int(decoded[5, 5, 0]) - 200) < 8  # RGB order
    for bad in (b"", b"\x89PNG\r\n", b"\xff\xd8\xff" + b"\x00" * 20):
        with pytest.raises(ImageReadError):
            decode_jpeg(bad)
