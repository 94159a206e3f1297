"""The latest health of every camera, kept from the bus: what the supervisor's screen shows.

It listens to the bus only, so it works the same whether the cameras run in this process or on
another machine.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lfr.events import topics
from lfr.events.bus import Event, EventBus, Subscription
from lfr.events.topics import CameraCounts

RUNNING = "running"
STARTING = "starting"
CAMERA_STATES = (STARTING, RUNNING, "ended", "stopped", "error")
"""What a camera's state may be (``/api/cameras``, ``lfr_camera_state``)."""

NODE_OFFLINE_AFTER_S = 3.0
"""No heartbeat (one a second) for this long: the node is shown offline."""

DROPPED_SHARE_WARNING = 0.02
"""More than this share of a run's frames dropped: alerts may be missed, so the operator is told."""


def camera_warning(health: Mapping[str, Any]) -> str | None:
    """Why the operator should look at this camera now (in plain words), or None."""
    if health.get("state") == "error" or health.get("error"):
        return f"camera fault: {health.get('error') or 'the camera reported an error'}"
    read = int(health.get("frames_read") or 0)
    dropped = int(health.get("frames_dropped") or 0)
    if read > 0 and dropped / read > DROPPED_SHARE_WARNING:
        return (
            f"{dropped:,} of {read:,} frames dropped ({dropped / read:.1%}, over"
            f" {DROPPED_SHARE_WARNING:.0%}): this machine or the link cannot keep up, and"
            " people passing may not be checked"
        )
    return None


def outbox_warning(node: str, refused: int) -> str | None:
    """Alerts (or snapshot reports) a node turned away because its outbox was full are lost:
    a supervisor must know."""
    if refused <= 0:
        return None
    return f"{node} refused {refused:,} alerts or reports: its outbox was full"


def _warnings(*found: str | None) -> str | None:
    return "; ".join(w for w in found if w) or None


class HealthBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cameras: dict[tuple[int, str], dict[str, Any]] = {}
        self._runs: dict[int, dict[str, Any]] = {}
        self._nodes: dict[str, float] = {}
        """Edge node -> when its last heartbeat came (epoch seconds)."""
        self._losses: dict[str, tuple[int, int]] = {}
        """Edge node -> (dropped, refused) by its outbox, as its last heartbeat said."""

    def attach(self, bus: EventBus) -> Subscription:
        return bus.subscribe(self.handle, (topics.CAMERA_HEALTH, topics.RUN, topics.NODE))

    def handle(self, event: Event) -> None:
        deployment_id = int(event.data.get("deployment_id", 0))
        with self._lock:
            if event.topic == topics.NODE:
                node = str(event.data.get("node", ""))
                self._nodes[node] = float(event.data["sent_at"])
                self._losses[node] = (
                    int(event.data.get("outbox_dropped", 0)),
                    int(event.data.get("outbox_refused", 0)),
                )
            elif event.topic == topics.CAMERA_HEALTH:
                key = (deployment_id, str(event.data.get("camera", "")))
                self._cameras[key] = dict(event.data)
            elif event.topic == topics.RUN:
                if event.data.get("state") == "running":  # a new run: forget the last one's
                    for stale in [k for k in self._cameras if k[0] == deployment_id]:
                        del self._cameras[stale]
                self._runs[deployment_id] = dict(event.data)

    def cameras(self, deployment_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                self._with_node(health)
                for (dep, _), health in sorted(self._cameras.items())
                if deployment_id is None or dep == deployment_id
            ]

    def cameras_running(self, deployment_id: int) -> int:
        """How many of the deployment's cameras deliver frames now: state running, and for a
        camera on an edge node, that node heard from within ``NODE_OFFLINE_AFTER_S``."""
        return sum(
            1
            for health in self.cameras(deployment_id)
            if health.get("state") == RUNNING and health.get("node_online", True)
        )

    def nodes(self, now: float | None = None) -> dict[str, dict[str, Any]]:
        """Each edge node heard from: online (a heartbeat within ``NODE_OFFLINE_AFTER_S``) and
        last seen (epoch seconds)."""
        now = time.time() if now is None else now
        with self._lock:
            return {
                name: {
                    "online": now - seen < NODE_OFFLINE_AFTER_S,
                    "last_seen": seen,
                    "outbox_dropped": self._losses.get(name, (0, 0))[0],
                    "outbox_refused": self._losses.get(name, (0, 0))[1],
                }
                for name, seen in self._nodes.items()
            }

    def _with_node(self, health: Mapping[str, Any]) -> dict[str, Any]:
        node = self._node_of(health)
        refused = outbox_warning(str(health.get("node")), node.get("node_outbox_refused", 0))
        return {**health, **node, "warning": _warnings(camera_warning(health), refused)}

    def _node_of(self, health: Mapping[str, Any]) -> dict[str, Any]:
        node = health.get("node")
        if not node:
            return {}
        seen = self._nodes.get(str(node))
        online = seen is not None and time.time() - seen < NODE_OFFLINE_AFTER_S
        dropped, refused = self._losses.get(str(node), (0, 0))
        return {
            "node_online": online,
            "node_last_seen": _iso(seen),
            "node_outbox_dropped": dropped,
            "node_outbox_refused": refused,
        }

    def run(self, deployment_id: int) -> dict[str, Any] | None:
        """The last run event of this deployment (state "running" or "stopped")."""
        with self._lock:
            found = self._runs.get(deployment_id)
            return dict(found) if found is not None else None

    def running(self, deployment_id: int) -> bool:
        run = self.run(deployment_id)
        return run is not None and run.get("state") == "running"


def starting(deployment_id: int, camera: str) -> dict[str, Any]:
    """A planned camera of a live deployment that has not reported yet (its node has not
    started it, or its source is opening)."""
    return {
        "deployment_id": deployment_id,
        "camera": camera,
        "state": STARTING,
        "frames": 0,
        "frames_read": 0,
        "frames_dropped": 0,
        "reconnects": 0,
        "fps": 0.0,
        "last_frame_at": None,
        "error": None,
        "source": "",
    }


def node_camera_health(counts: CameraCounts) -> dict[str, Any]:
    """A ``CAMERA_HEALTH`` event's data for a camera on an edge node, from its counts."""
    return {
        "deployment_id": counts.deployment_id,
        "camera": counts.camera,
        "node": counts.node,
        "state": _node_camera_state(counts),
        "frames": counts.frames,
        "frames_read": counts.frames + counts.frames_dropped,
        "frames_dropped": counts.frames_dropped,
        "reconnects": 0,
        "fps": counts.fps,
        "last_frame_at": _iso(counts.sent_at),
        "error": counts.error or None,
        "source": f"edge node {counts.node}",
    }


def _node_camera_state(counts: CameraCounts) -> str:
    if not counts.final:
        return RUNNING
    if counts.error:
        return "error"
    return "ended" if counts.ended else "stopped"


def _iso(epoch_s: float | None) -> str | None:
    if epoch_s is None:
        return None
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")
