"""The topics on the bus and the shape of their payloads (plain JSON-able dicts).

Nothing biometric ever travels on the bus: an alert event carries its id and deployment, and a
reader loads what its role may see from the governed store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final

from lfr.domain import Alert
from lfr.events.bus import Event, EventBus

ALERT: Final = "alert"
"""A new alert was stored. id = the engine's alert id; data: deployment_id, alert_id, camera,
engine_latency_s (frame read -> alert raised), store_s (raised -> stored)."""
ALERT_UPDATE: Final = "alert.update"
"""An alert was adjudicated, second-confirmed, given an outcome or held. data: deployment_id,
alert_id, status, outcome."""
CAMERA_HEALTH: Final = "camera.health"
"""Once a second per running camera. data: see ``lfr.runtime.monitor.RunMonitor``."""
ENGINE_STATS: Final = "engine.stats"
"""Once a second per running deployment: face_detections (since the last one) and
detect_seconds (one sample a frame)."""
RUN: Final = "deployment.run"
"""Cameras of a deployment started (state "running") or stopped ("stopped", with counts)."""
NODE: Final = "edge.node"
"""An edge node's heartbeat reached the centre (about once a second). data: node, sent_at
(epoch seconds)."""
DEPLOYMENT: Final = "deployment"
"""A deployment changed state. data: deployment_id, state, by, reason."""


def publish_alert(
    bus: EventBus, deployment_id: int, alert_id: str, camera: str = "", **timings: float
) -> Event:
    """Announce a stored alert under its own id (so a client can resume after it)."""
    data: dict[str, Any] = {
        "deployment_id": deployment_id,
        "alert_id": alert_id,
        "camera": camera,
        **timings,
    }
    return bus.publish(ALERT, data, event_id=alert_id)


def announce_stored(bus: EventBus, deployment_id: int, alert: Alert) -> Event:
    """The one way a stored alert is announced, from an in-process camera or an edge node:
    the engine's latency, and the time from raised to stored when the alert's monotonic
    ``raised_at`` is from this machine's clock (within the hour)."""
    timings = {"engine_latency_s": round(alert.latency_s, 4)}
    store_s = time.monotonic() - alert.raised_at if alert.raised_at else None
    if store_s is not None and 0 <= store_s < 3600:
        timings["store_s"] = round(store_s, 4)
    return publish_alert(bus, deployment_id, alert.id, alert.camera, **timings)


def publish_alert_update(
    bus: EventBus, deployment_id: int, alert_id: str, status: str, outcome: str | None
) -> Event:
    return bus.publish(
        ALERT_UPDATE,
        {
            "deployment_id": deployment_id,
            "alert_id": alert_id,
            "status": status,
            "outcome": outcome,
        },
    )


def publish_deployment(
    bus: EventBus, deployment_id: int, state: str, by: str, reason: str = ""
) -> Event:
    return bus.publish(
        DEPLOYMENT, {"deployment_id": deployment_id, "state": state, "by": by, "reason": reason}
    )


@dataclass(frozen=True, slots=True)
class CameraCounts:
    """Cumulative since the camera's run started on the node: a lost message loses nothing
    once a later one arrives."""

    node: str
    deployment_id: int
    camera: str
    frames: int
    frames_dropped: int
    face_detections: int
    tracks: int
    embeddings: int
    fps: float
    sent_at: float
    final: bool = False
    """The run has stopped; these are its last counts."""
    run: str = ""
    """Which run of the camera (new when the node restarts it): counts start again from 0."""
    ended: bool = False
    """With ``final``: the camera stopped by itself (its source came to its end, or failed),
    not because its deployment stopped."""
    error: str = ""
    """With ``final``: why the camera failed, credentials redacted ("" when it did not)."""
    position: int = 0
    """A video file's next frame (0 for a live stream): where the camera carries on if its
    node restarts before the file has played through."""
