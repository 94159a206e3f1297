"""What the control centre and the edge nodes say to each other over NATS: subjects, streams and
messages (frozen dataclasses, JSON on the wire).

Every subject names its node, so nats-server's permissions alone keep a node to its own:
a node publishes only under ``lfr.up.<node>.>`` and reads only ``lfr.down.<node>.>`` (through
a durable consumer the centre made for it). Nothing biometric of a non-match has a field here:
a node sends alerts (matches, crops sealed), counts and health.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from lfr.errors import LfrError
from lfr.node_names import CENTRE_USER, NODE_NAME

ALERTS_STREAM: Final = "LFR_ALERTS"
COUNTS_STREAM: Final = "LFR_COUNTS"
REPORTS_STREAM: Final = "LFR_REPORTS"
DOWN_STREAM: Final = "LFR_DOWN"
CENTRE_ALERTS_CONSUMER: Final = "centre-alerts"
CENTRE_REPORTS_CONSUMER: Final = "centre-reports"
CENTRE_COUNTS_CONSUMER: Final = "centre-counts"

STREAM_SUBJECTS: Final = {
    ALERTS_STREAM: "lfr.up.*.alert.>",
    COUNTS_STREAM: "lfr.up.*.counts.>",
    REPORTS_STREAM: "lfr.up.*.report.>",
    DOWN_STREAM: "lfr.down.>",
}


class ProtocolError(LfrError):
    """A message that is not what its subject promises (malformed, wrong fields)."""


def check_node_name(name: str) -> str:
    if not NODE_NAME.match(name) or name == CENTRE_USER:
        raise LfrError(
            f"node name {name!r}: 1-32 characters from a-z, 0-9 and '-', starting with a"
            f" letter, and not {CENTRE_USER!r}"
        )
    return name


def up_subjects(node: str) -> str:
    """Everything ``node`` may publish."""
    return f"lfr.up.{check_node_name(node)}.>"


def alert_subject(node: str, deployment_id: int) -> str:
    return f"lfr.up.{check_node_name(node)}.alert.{int(deployment_id)}"


def counts_subject(node: str, deployment_id: int, camera: str) -> str:
    return f"lfr.up.{check_node_name(node)}.counts.{int(deployment_id)}.{_token(camera)}"


def report_subject(node: str, deployment_id: int) -> str:
    return f"lfr.up.{check_node_name(node)}.report.{int(deployment_id)}"


def heartbeat_subject(node: str) -> str:
    """Core NATS, not a stream: only the latest heartbeat matters."""
    return f"lfr.up.{check_node_name(node)}.heartbeat"


def down_subjects(node: str) -> str:
    """Everything sent to ``node`` (commands and its deployments' snapshots)."""
    return f"lfr.down.{check_node_name(node)}.>"


def command_subject(node: str, command: StartCommand | StopCommand) -> str:
    """``lfr.down.<node>.start.<deployment>`` or ``...stop...``: the subject says which."""
    kind = "start" if isinstance(command, StartCommand) else "stop"
    return f"lfr.down.{check_node_name(node)}.{kind}.{int(command.deployment_id)}"


def parse_down_subject(subject: str) -> tuple[str, str, int]:
    """``lfr.down.<node>.<kind>.<deployment>`` as (node, kind, deployment)."""
    parts = subject.split(".")
    if len(parts) != 5 or parts[:2] != ["lfr", "down"] or not parts[4].isdigit():
        raise ProtocolError(f"not a subject the centre sends on: {subject}")
    return check_node_name(parts[2]), parts[3], int(parts[4])


def snapshot_subject(node: str, deployment_id: int) -> str:
    return f"lfr.down.{check_node_name(node)}.snapshot.{int(deployment_id)}"


def reply_prefix(node: str) -> str:
    """Where ``node``'s leaf answers the centre's requests to its JetStream API (erase a copy
    the centre has): only that node may publish here, so no node answers for another."""
    return f"lfr.reply.{check_node_name(node)}"


def down_consumer(node: str) -> str:
    """The durable consumer the centre creates for ``node`` on the down stream; the node may
    only pull from this one, so it never sees another node's commands."""
    return f"down-{check_node_name(node)}"


def inbox_prefix(user: str) -> str:
    """Replies (JetStream acks, pulled messages) come to ``_INBOX.<user>.*``; each user may
    subscribe to its own inboxes only, never to ``_INBOX.>`` where it would read others'."""
    return f"_INBOX.{user}"


def parse_up_subject(subject: str) -> tuple[str, str, tuple[str, ...]]:
    """``lfr.up.<node>.<kind>.<rest...>`` as (node, kind, rest). The server let only ``node``
    publish there, so the node named by the subject - never by a message's body - is the
    sender."""
    parts = subject.split(".")
    if len(parts) < 4 or parts[:2] != ["lfr", "up"]:
        raise ProtocolError(f"not a subject a node publishes on: {subject}")
    return check_node_name(parts[2]), parts[3], tuple(parts[4:])


def _token(text: str) -> str:
    """A camera name as one subject token."""
    token = re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]
    if not token:
        raise LfrError("a camera name cannot be empty")
    return token


@dataclass(frozen=True, slots=True)
class Heartbeat:
    node: str
    sent_at: float
    """Epoch seconds on the node."""
    deployments: tuple[int, ...] = ()
    """The deployments the node is running."""
    outbox_dropped: int = 0
    """Counts messages its outbox dropped for room since the node started (superseded by
    later counts: nothing lost). Defaults keep an older node's heartbeat decodable."""
    outbox_refused: int = 0
    """Alerts and reports its outbox turned away, full, since the node started: lost."""


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """An alert raised on a node. Its crops are sealed with the deployment's key (base64)."""

    node: str
    deployment_id: int
    alert_id: str
    camera: str
    subject_reference: str
    distance: float
    score: float
    threshold: float
    time_s: float
    frame: int
    track: int
    enrolled_image: str
    raised_at: float
    """Epoch seconds on the node (0: unknown)."""
    latency_s: float
    probe_crop_sealed: str = ""
    enrolled_crop_sealed: str = ""


@dataclass(frozen=True, slots=True)
class StartCommand:
    deployment_id: int
    cameras: tuple[str, ...]
    """``name=SPEC`` of this node's cameras."""
    ends_at: float
    """Epoch seconds: the node stops by itself then, link or no link."""
    threshold: float
    snapshot_key: str = ""
    """The deployment's key, wrapped with the node's key (``edge_snapshot``)."""
    snapshot: str = ""
    """The watchlist snapshot, sealed with the deployment's key; empty when it comes in
    ``snapshot_chunks`` chunks (``edge_chunks``) sent just before this command."""
    snapshot_chunks: int = 0
    """How many ``SnapshotChunk`` messages carry the sealed snapshot (0: it is inline)."""
    snapshot_sha256: str = ""
    """SHA-256 (hex) of the whole sealed snapshot when it comes in chunks."""
    resume: tuple[str, ...] = ()
    """``name=FRAME`` for a video-file camera sent again after the node restarted: it plays on
    from that frame, not from the start (no frame, no alert, counted twice)."""


@dataclass(frozen=True, slots=True)
class SnapshotChunk:
    """One piece of a sealed snapshot too large for one message (nats-server refuses a
    message over its ``max_payload``, 1 MB by default), on ``snapshot_subject``."""

    deployment_id: int
    index: int
    total: int
    sha256: str
    """Of the whole sealed snapshot: which snapshot this is a piece of."""
    data: str
    """A slice of the sealed snapshot (base64 text): ciphertext only."""


@dataclass(frozen=True, slots=True)
class StopCommand:
    deployment_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class NodeReport:
    """What a node did with a deployment's snapshot: ``received`` (digest of what it holds in
    memory) or ``wiped``."""

    node: str
    deployment_id: int
    event: str
    digest: str
    at: float


Message = TypeVar("Message")


def encode(message: object) -> bytes:
    if not dataclasses.is_dataclass(message) or isinstance(message, type):
        raise TypeError(f"not a message: {message!r}")
    return json.dumps(dataclasses.asdict(message), separators=(",", ":")).encode()


def decode(kind: type[Message], payload: bytes) -> Message:
    """``payload`` as a ``kind``; ProtocolError unless it has exactly its fields, each of its
    type (a bus carries what anyone allowed on it sent: check before trusting)."""
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"{kind.__name__}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{kind.__name__}: not a JSON object")
    hints = typing.get_type_hints(kind)
    fields = {f.name: f for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    unknown = set(data) - set(fields)
    if unknown:
        raise ProtocolError(f"{kind.__name__}: unknown fields {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name not in data:
            if field.default is dataclasses.MISSING:
                raise ProtocolError(f"{kind.__name__}: missing field {name!r}")
            continue
        values[name] = _checked(kind.__name__, name, hints[name], data[name])
    return kind(**values)


def _checked(kind: str, name: str, hint: Any, value: Any) -> Any:
    if typing.get_origin(hint) is tuple:
        (item, *_) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ProtocolError(f"{kind}.{name}: expected a list")
        return tuple(_checked(kind, name, item, v) for v in value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = hint if isinstance(hint, type) and not isinstance(hint, types.GenericAlias) else None
    if expected is None or type(value) is not expected:
        raise ProtocolError(f"{kind}.{name}: expected {getattr(hint, '__name__', hint)}")
    return value
