"""What the control centre tells its edge nodes, and what it keeps of their answers.

The database decides: a live deployment, inside its window, with cameras on a node the centre
has not yet started there, gets a start command (its cameras, its window, its snapshot sealed
for that node and deployment); a deployment no longer live (ended, cancelled, window over) gets
a stop. The centre's loop (``edge_centre``) asks every second, so a deployment started from the
CLI, the API or before a restart of ``lfr serve`` is handled the same way. Everything here is
synchronous and runs on worker threads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.edge.centre.nodes import crop_key, node_key
from lfr.edge.protocol import Heartbeat, NodeReport, StartCommand
from lfr.edge.wire.snapshot import seal_snapshot
from lfr.errors import LfrError, NotFoundError
from lfr.events.topics import CameraCounts
from lfr.governance.deployments.authority_rules import authorised_end
from lfr.governance.deployments.camera_nodes import by_node
from lfr.governance.deployments.camera_sources import open_cameras
from lfr.governance.deployments.plan import audit_target
from lfr.governance.deployments.snapshot import load_snapshot
from lfr.governance.states import DeploymentState
from lfr.store.tables import Deployment, EdgeCameraCounts, EdgeNode, EdgeRun

log = logging.getLogger(__name__)

RECEIVED, WIPED = "received", "wiped"


class StartNotRecordedError(LfrError):
    """A node's answer to a start that the centre has published but not yet recorded (it
    records each start once sent): the answer is taken again a moment later, not refused."""


RESEND_AFTER_S = 10.0
"""A node heard from this long without naming a deployment it should run (it restarted, or
never got the start) is sent the start again."""


@dataclass(frozen=True, slots=True)
class NodeStart:
    node: str
    command: StartCommand
    digest: str
    attempt: int = 0
    """0: the first start; n: the n-th sent again (after the node restarted)."""

    @property
    def msg_id(self) -> str:
        """JetStream keeps one message per id: a start sent again needs an id of its own."""
        return f"start-{self.command.deployment_id}-{self.node}-{self.attempt}"


@dataclass(frozen=True, slots=True)
class NodeStop:
    node: str
    deployment_id: int
    reason: str


def pending_starts(services: Services) -> list[NodeStart]:
    """The start commands due now (none twice: ``start_sent`` records each)."""
    with services.transaction() as session:
        now = services.clock()
        due: list[tuple[int, str, dict[str, str], float, float, int, tuple[str, ...]]] = []
        for row in session.scalars(
            select(Deployment).where(Deployment.state == DeploymentState.LIVE)
        ):
            ends = authorised_end(session, row)
            if now >= ends:
                continue
            sent = {
                run.node: run
                for run in session.scalars(select(EdgeRun).where(EdgeRun.deployment_id == row.id))
            }
            cameras = by_node(open_cameras(services.cipher, row.id, row.cameras))
            for node, sources in sorted(cameras.items()):
                attempt = 0 if node not in sent else _resend_attempt(session, sent[node])
                if attempt is not None:
                    resume = _positions(session, row.id, node) if attempt else ()
                    due.append(
                        (row.id, node, sources, ends.timestamp(), row.threshold, attempt, resume)
                    )
    starts = []
    for item in due:
        try:
            starts.append(_start(services, *item))
        except LfrError as exc:  # e.g. the node was removed: the others still start
            log.warning("deployment %s: node %s not started: %s", item[0], item[1], exc)
    return starts


def _start(
    services: Services,
    deployment_id: int,
    node: str,
    sources: dict[str, str],
    ends_at: float,
    threshold: float,
    attempt: int,
    resume: tuple[str, ...] = (),
) -> NodeStart:
    watchlist = load_snapshot(services, SYSTEM, deployment_id)
    try:
        digest = watchlist.digest()
        sealed = seal_snapshot(
            node_key(services, node),
            node,
            deployment_id,
            watchlist,
            crop_key(services, node, deployment_id),
        )
    finally:
        watchlist.wipe()  # the centre keeps it sealed in the database only
    command = StartCommand(
        deployment_id=deployment_id,
        cameras=tuple(f"{name}={spec}" for name, spec in sorted(sources.items())),
        ends_at=ends_at,
        threshold=threshold,
        snapshot_key=sealed.key_wrapped,
        snapshot=sealed.snapshot_sealed,
        resume=resume,
    )
    return NodeStart(node, command, digest, attempt)


def _positions(session: Session, deployment_id: int, node: str) -> tuple[str, ...]:
    """``camera=FRAME`` for each of the node's video-file cameras part played: a start sent
    again carries them so each file plays on from where the node last said it was."""
    rows = session.scalars(
        select(EdgeCameraCounts).where(
            EdgeCameraCounts.deployment_id == deployment_id,
            EdgeCameraCounts.node == node,
            EdgeCameraCounts.position > 0,
        )
    )
    return tuple(sorted(f"{row.camera}={row.position}" for row in rows))


def _resend_attempt(session: Session, run: EdgeRun) -> int | None:
    """The next attempt when the node has gone ``RESEND_AFTER_S`` without naming the
    deployment in its heartbeats (and has neither wiped it nor been told to stop); else None."""
    if run.missing_since is None or run.wiped_at is not None or run.stop_sent_at is not None:
        return None
    last_seen = session.scalar(select(EdgeNode.last_seen_at).where(EdgeNode.name == run.node))
    if last_seen is None or (last_seen - run.missing_since).total_seconds() < RESEND_AFTER_S:
        return None
    return run.restarts + 1


def start_sent(services: Services, start: NodeStart) -> None:
    command = start.command
    with services.transaction() as session:
        if start.attempt:
            run = session.get(EdgeRun, (command.deployment_id, start.node))
            assert run is not None  # a start is sent again only for a run on record
            run.restarts, run.missing_since = start.attempt, None
        else:
            session.add(
                EdgeRun(
                    deployment_id=command.deployment_id,
                    node=start.node,
                    start_sent_at=services.clock(),
                    restarts=0,
                )
            )
        action = "edge.start.again" if start.attempt else "edge.start"
        services.record(
            session,
            SYSTEM.username,
            action,
            audit_target(command.deployment_id),
            {
                "node": start.node,
                "cameras": [c.split("=", 1)[0] for c in command.cameras],
                "snapshot_digest": start.digest,
            },
        )


def pending_stops(services: Services) -> list[NodeStop]:
    """The stop commands due now: nodes still running a deployment that is no longer live."""
    with services.transaction() as session:
        now = services.clock()
        stops = []
        for run, row in session.execute(
            select(EdgeRun, Deployment)
            .join(Deployment, Deployment.id == EdgeRun.deployment_id)
            .where(EdgeRun.stop_sent_at.is_(None))
        ):
            reason = _stop_reason(session, row, now)
            if reason is not None:
                stops.append(NodeStop(run.node, run.deployment_id, reason))
        return stops


def _stop_reason(session: Session, row: Deployment, now: datetime) -> str | None:
    if row.state != DeploymentState.LIVE:
        return f"deployment {row.state}"
    if now >= authorised_end(session, row):
        return "window ended"
    return None


def stop_sent(services: Services, stop: NodeStop) -> None:
    with services.transaction() as session:
        run = session.get(EdgeRun, (stop.deployment_id, stop.node))
        if run is None:
            raise NotFoundError(f"deployment {stop.deployment_id} never ran on {stop.node}")
        run.stop_sent_at = services.clock()
        services.record(
            session,
            SYSTEM.username,
            "edge.stop",
            audit_target(stop.deployment_id),
            {"node": stop.node, "reason": stop.reason},
        )


def take_report(services: Services, node: str, report: NodeReport) -> None:
    """A node's word on its snapshot, audited: "snapshot delivered to node1, digest D" (with
    whether D is the digest recorded at go-live) or "wiped"."""
    with services.transaction() as session:
        run = session.get(EdgeRun, (report.deployment_id, node))
        row = session.get(Deployment, report.deployment_id)
        if row is None:
            raise NotFoundError(f"deployment {report.deployment_id} was never sent to {node}")
        if run is None:
            raise StartNotRecordedError(f"deployment {report.deployment_id} not yet sent to {node}")
        at = datetime.fromtimestamp(report.at, UTC)
        if (report.event == RECEIVED and _same_delivery(run, report.digest, at)) or (
            report.event == WIPED and run.wiped_at is not None
        ):
            return  # the same report delivered again: audited once
        details: dict[str, object] = {"node": node, "digest": report.digest}
        if report.event == RECEIVED:
            details["delivery"] = run.restarts + 1  # the first, or again after a restart
            run.delivered_digest, run.delivered_at = report.digest, at
            details["matches_go_live"] = report.digest == row.snapshot_digest
            action = "edge.snapshot.delivered"
        elif report.event == WIPED:
            run.wiped_at = datetime.fromtimestamp(report.at, UTC)
            details["wiped_at"] = run.wiped_at.isoformat()
            action = "edge.snapshot.wiped"
        else:
            raise NotFoundError(f"no report kind {report.event!r}")
        services.record(session, node, action, audit_target(report.deployment_id), details)


def _same_delivery(run: EdgeRun, digest: str, at: datetime) -> bool:
    """A copy of the last delivery report (JetStream's redelivery), not a new delivery."""
    last = run.delivered_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)  # SQLite gives naive times back
    return run.delivered_digest == digest and (last is None or last == at)


_COUNTED = ("frames", "face_detections", "tracks")


def take_counts(services: Services, node: str, counts: CameraCounts) -> None:
    """Keep a camera's cumulative counts; the deployment's grow by the difference (in the same
    transaction, so a redelivered or older message adds nothing). A crash of the node loses
    at most what it counted since its last message; its next run counts from 0 again."""
    with services.transaction() as session:
        row = session.get(Deployment, counts.deployment_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"deployment {counts.deployment_id} was never sent to {node}")
        if session.get(EdgeRun, (counts.deployment_id, node)) is None:
            raise StartNotRecordedError(f"deployment {counts.deployment_id} not yet sent to {node}")
        kept = session.get(EdgeCameraCounts, (counts.deployment_id, counts.camera[:64]))
        if kept is None:
            kept = EdgeCameraCounts(deployment_id=counts.deployment_id, camera=counts.camera[:64])
            session.add(kept)
        if kept.run != counts.run:  # a new run (the node restarted): its counts start at 0
            kept.run = counts.run[:36]
            kept.frames = kept.face_detections = kept.tracks = 0
        elif counts.frames < kept.frames:
            return  # an older message of this run than the one kept
        for name in _COUNTED:
            delta = max(0, getattr(counts, name) - getattr(kept, name))
            setattr(row, name, getattr(row, name) + delta)
            setattr(kept, name, getattr(counts, name))
        kept.node = node
        kept.frames_dropped = counts.frames_dropped
        kept.embeddings = counts.embeddings
        kept.fps = counts.fps
        kept.position = max(0, int(counts.position))
        kept.updated_at = services.clock()


def take_heartbeat(services: Services, node: str, beat: Heartbeat) -> None:
    """The node's last seen; and for each deployment it should run, since when its
    heartbeats stopped naming it (a restarted node names none: ``pending_starts`` resends)."""
    seen = datetime.fromtimestamp(beat.sent_at, UTC)
    with services.transaction() as session:
        row = session.scalar(select(EdgeNode).where(EdgeNode.name == node))
        if row is None:
            return
        row.last_seen_at = seen
        for run in session.scalars(
            select(EdgeRun).where(
                EdgeRun.node == node, EdgeRun.stop_sent_at.is_(None), EdgeRun.wiped_at.is_(None)
            )
        ):
            if run.deployment_id in beat.deployments:
                run.missing_since = None
            elif run.missing_since is None:
                run.missing_since = seen
