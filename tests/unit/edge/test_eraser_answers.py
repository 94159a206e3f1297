"""How the centre's eraser reads where a hub message came from and what a leaf answered."""

from __future__ import annotations

import json

import pytest

from lfr.edge import protocol as proto
from lfr.edge.centre.eraser import LeafCopy, LeafUnreachableError, leaf_answer_erased, leaf_copy

COPY = LeafCopy("node1", "LFR_EDGE_ALERTS", 7)


def _answer(err_code: int | None) -> bytes:
    body: dict[str, object] = {"type": "io.nats.jetstream.api.v1.stream_msg_delete_response"}
    if err_code is None:
        body["success"] = True
    else:
        body["error"] = {"code": 400, "err_code": err_code, "description": "..."}
    return json.dumps(body).encode()


def test_the_source_header_names_the_leaf_stream_and_its_sequence() -> None:
    headers = {"Nats-Stream-Source": "LFR_EDGE_ALERTS:iZBHHrM6 2"}
    assert leaf_copy("node1", proto.ALERTS_STREAM, headers) == LeafCopy(
        "node1", "LFR_EDGE_ALERTS", 2
    )
    # published to the hub directly, or a header naming another stream: no leaf copy
    assert leaf_copy("node1", proto.ALERTS_STREAM, None) is None
    assert leaf_copy("node1", proto.COUNTS_STREAM, headers) is None
    assert leaf_copy("node1", proto.ALERTS_STREAM, {"Nats-Stream-Source": "x y"}) is None


def test_erased_or_already_gone_counts_as_erased_and_anything_else_does_not() -> None:
    assert leaf_answer_erased(COPY, _answer(None))
    assert leaf_answer_erased(COPY, _answer(10043))  # sequence not found
    assert leaf_answer_erased(COPY, _answer(10057))  # no message found
    assert not leaf_answer_erased(COPY, _answer(10077))
    with pytest.raises(LeafUnreachableError):
        leaf_answer_erased(COPY, b"")  # no responders
