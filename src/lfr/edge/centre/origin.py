"""What the centre checks before it keeps anything a node sent up: who sent it, proven by the
node's key rather than claimed by the subject; that a camera it speaks for is one of its own in
that deployment; and, for a refusal, an audit entry naming the node and the reason (never the
message's content).

A node's bus account confines it to ``lfr.up.<node>.>`` on its own connection, but a node
controls the JetStream store on its own leaf, which the hub copies from; so the subject alone
proves nothing. The hub copies only each leaf's own subjects (``lfr.edge.leaf.hub_sources``)
and every message carries the node's tag (``lfr.edge.wire.mac``), checked here against the key
of the node the subject names."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.edge import protocol as proto
from lfr.edge.centre.nodes import node_key
from lfr.edge.wire.mac import check_mac
from lfr.errors import IntegrityError, LfrError, NotFoundError
from lfr.governance.deployments.camera_nodes import node_names
from lfr.store.tables import Deployment

log = logging.getLogger(__name__)

REFUSED_ACTION = "edge.message.refused"
MAX_REASON = 300


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent a message up, proven: the node and what the subject says of the message."""

    node: str
    kind: str
    rest: tuple[str, ...]


class NotItsOwnError(IntegrityError):
    """A message about a camera that is not the sender's in that deployment."""


def proven_sender(
    services: Services, subject: str, payload: bytes, headers: Mapping[str, str] | None
) -> Sender:
    """The sender ``subject`` names, once the message's tag shows it sent it. NotFoundError for
    a node that is not registered; IntegrityError for a missing or wrong tag."""
    node, kind, rest = proto.parse_up_subject(subject)
    check_mac(node_key(services, node), subject, payload, headers)
    return Sender(node, kind, rest)


def require_own_camera(services: Services, node: str, deployment_id: int, camera: str) -> None:
    """Refuse unless ``camera`` of ``deployment_id`` runs on ``node``."""
    with services.transaction() as session:
        row = session.get(Deployment, deployment_id)
        if row is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        if camera not in node_names(row).get(node, []):
            raise NotItsOwnError(
                f"camera {camera[:64]!r} of deployment {deployment_id} does not run on {node}"
            )


def audit_refused(services: Services, subject: str, refusal: LfrError) -> None:
    """The refusal of a message on ``subject``, in the audit log: the node the subject names,
    the kind of message and why; nothing the message carried."""
    try:
        node, kind, _ = proto.parse_up_subject(subject)
    except LfrError:
        node, kind = "?", "?"
    details = {"node": node, "kind": kind, "reason": str(refusal)[:MAX_REASON]}
    try:
        with services.transaction() as session:
            services.record(session, SYSTEM.username, REFUSED_ACTION, f"edge:{node}", details)
    except Exception:  # the refusal stands; only its record is missing (the log says so)
        log.exception("the refusal of a message on %s was not audited", subject[:200])
