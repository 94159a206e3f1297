"""The edge protocol's subjects and messages: every subject names its node, names that would
break a subject are refused, and a message decodes only with exactly its fields and types."""

from __future__ import annotations

import json

import pytest

from lfr.edge import protocol as proto
from lfr.edge.protocol import (
    AlertMessage,
    Heartbeat,
    NodeReport,
    ProtocolError,
    StartCommand,
    StopCommand,
    decode,
    encode,
)
from lfr.errors import LfrError
from lfr.events.topics import CameraCounts

MESSAGES = [
    Heartbeat("node1", 1.5, (3, 4)),
    CameraCounts("node1", 3, "cam1", 100, 2, 40, 5, 12, 9.5, 2.0, final=True),
    AlertMessage(
        "node1", 3, "a-1", "cam1", "S1", 0.41, 0.8, 0.6, 1.0, 25, 2, "s1.jpg", 2.0, 0.3, "c2Vh"
    ),
    StartCommand(3, ("cam1=clip.mp4", "cam2=rtsp://cam"), 1e9, 0.6),
    StopCommand(3, "ended"),
    NodeReport("node1", 3, "received", "ab" * 32, 3.0),
    Heartbeat("node1", 1.5, (3,), outbox_dropped=7, outbox_refused=3),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_every_message_survives_the_wire(message: object) -> None:
    assert decode(type(message), encode(message)) == message


def test_a_heartbeat_carries_its_outbox_losses_and_an_older_nodes_still_decodes() -> None:
    older = json.dumps({"node": "node1", "sent_at": 1.5, "deployments": [3]}).encode()
    assert decode(Heartbeat, older) == Heartbeat("node1", 1.5, (3,), 0, 0)
    sent = json.loads(encode(Heartbeat("node1", 1.5, (), outbox_dropped=7, outbox_refused=3)))
    assert (sent["outbox_dropped"], sent["outbox_refused"]) == (7, 3)
    with pytest.raises(ProtocolError):
        decode(Heartbeat, json.dumps({**sent, "outbox_refused": "3"}).encode())


def test_a_message_with_an_unknown_missing_or_mistyped_field_is_refused() -> None:
    good = json.loads(encode(StopCommand(3, "ended")))
    for bad in (
        {**good, "extra": 1},
        {"deployment_id": 3},
        {**good, "deployment_id": "3"},
        {**good, "deployment_id": True},
    ):
        with pytest.raises(ProtocolError):
            decode(StopCommand, json.dumps(bad).encode())
    with pytest.raises(ProtocolError):
        decode(
            StartCommand, json.dumps({**json.loads(encode(MESSAGES[3])), "cameras": "x"}).encode()
        )
    for garbage in (b"\xff", b"[1]", b"not json"):
        with pytest.raises(ProtocolError):
            decode(StopCommand, garbage)


def test_subjects_name_their_node_and_a_name_that_would_widen_one_is_refused() -> None:
    assert proto.alert_subject("node1", 3) == "lfr.up.node1.alert.3"
    assert proto.command_subject("node1", StopCommand(3, "ended")) == "lfr.down.node1.stop.3"
    start = proto.command_subject("node1", MESSAGES[3])  # type: ignore[arg-type]
    assert proto.parse_down_subject(start) == ("node1", "start", 3)
    assert proto.counts_subject("node1", 3, "cam 1.a") == "lfr.up.node1.counts.3.cam_1_a"
    for name in ("node.2", "*", ">", "Node", "", "centre", "n" * 33, "a b"):
        with pytest.raises(LfrError):
            proto.up_subjects(name)


def test_each_stream_captures_only_its_own_kind_of_subject() -> None:
    subjects = proto.STREAM_SUBJECTS
    assert subjects[proto.ALERTS_STREAM] == "lfr.up.*.alert.>"
    assert len(set(subjects.values())) == len(subjects)
