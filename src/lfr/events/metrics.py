"""Prometheus metrics, fed by the bus: the metrics know nothing of cameras or the web app, they
count what is published. One registry per ``Metrics`` (no process-wide default registry), so
two apps in one process (tests) never share counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from lfr.events import topics
from lfr.events.bus import Event, EventBus, Subscription
from lfr.events.health import CAMERA_STATES

__all__ = ["CONTENT_TYPE", "Metrics"]

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_CAMERA = ("deployment", "camera")


class Metrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.frames = Counter(
            "lfr_frames", "Frames processed by the camera workers", _CAMERA, registry=r
        )
        self.frames_dropped = Counter(
            "lfr_frames_dropped",
            "Frames dropped because processing fell behind",
            _CAMERA,
            registry=r,
        )
        self.face_detections = Counter(
            "lfr_face_detections", "Faces detected, summed over frames", ["deployment"], registry=r
        )
        self.faces_seen = Counter(
            "lfr_faces_seen",
            "Distinct faces (tracks) seen; added when a camera run stops",
            ["deployment"],
            registry=r,
        )
        # Alerts in all, never by deployment: a counter that moves as one walks past a camera
        # would tell a watcher they are on that deployment's watchlist.
        self.alerts = Counter("lfr_alerts", "Alerts stored, all deployments together", registry=r)
        self.stage = Histogram(
            "lfr_stage_seconds",
            "Latency by stage: detect (one frame), alert (frame read -> alert raised),"
            " store (raised -> stored), deliver (published -> written to a live client)",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.delivery = Histogram(
            "lfr_alert_delivery_seconds",
            "Alert published -> written to an officer's live stream",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.fps = Gauge("lfr_camera_fps", "Frames processed per second", _CAMERA, registry=r)
        self.reconnects = Gauge(
            "lfr_camera_reconnects", "Stream reconnects in this run", _CAMERA, registry=r
        )
        self.last_frame = Gauge(
            "lfr_camera_last_frame_timestamp_seconds",
            "When the camera last delivered a frame (epoch seconds)",
            _CAMERA,
            registry=r,
        )
        self.up = Gauge("lfr_camera_up", "1 while the camera runs, else 0", _CAMERA, registry=r)
        self.state = Gauge(
            "lfr_camera_state",
            "1 for the camera's state now (starting, running, ended, stopped, error), else 0",
            (*_CAMERA, "state"),
            registry=r,
        )
        self.outbox_dropped = Gauge(
            "lfr_edge_outbox_dropped",
            "Counts messages an edge node's outbox dropped for room since it started"
            " (superseded by later counts)",
            ["node"],
            registry=r,
        )
        self.outbox_refused = Gauge(
            "lfr_edge_outbox_refused",
            "Alerts and reports an edge node's outbox turned away, full, since it started (lost)",
            ["node"],
            registry=r,
        )
        self.stream_clients = Gauge(
            "lfr_alert_stream_clients", "Officers connected to the live alert stream", registry=r
        )

    def attach(self, bus: EventBus) -> Subscription:
        wanted = (topics.ALERT, topics.CAMERA_HEALTH, topics.ENGINE_STATS, topics.RUN, topics.NODE)
        return bus.subscribe(self.handle, wanted)

    def handle(self, event: Event) -> None:
        data = event.data
        deployment = str(data.get("deployment_id", ""))
        if event.topic == topics.ALERT:
            self.alerts.inc()
            for stage, key in (("alert", "engine_latency_s"), ("store", "store_s")):
                if isinstance(data.get(key), int | float):
                    self.stage.labels(stage).observe(float(data[key]))
        elif event.topic == topics.CAMERA_HEALTH:
            self._camera(deployment, data)
        elif event.topic == topics.ENGINE_STATS:
            self.face_detections.labels(deployment).inc(max(0, int(data.get("face_detections", 0))))
            for seconds in data.get("detect_seconds", ()):
                self.stage.labels("detect").observe(float(seconds))
        elif event.topic == topics.RUN and data.get("state") == "stopped":
            self.faces_seen.labels(deployment).inc(max(0, int(data.get("tracks", 0))))
        elif event.topic == topics.NODE:
            node = str(data.get("node", ""))
            self.outbox_dropped.labels(node).set(int(data.get("outbox_dropped", 0)))
            self.outbox_refused.labels(node).set(int(data.get("outbox_refused", 0)))

    def observe_delivery(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.delivery.observe(seconds)
        self.stage.labels("deliver").observe(seconds)

    def set_camera_states(self, cameras: Iterable[Mapping[str, Any]]) -> None:
        """Each camera's state now (from the health board, with planned cameras not heard
        from as starting): set at each scrape, so a camera never lingers in a state it left."""
        self.state.clear()
        for camera in cameras:
            labels = (str(camera.get("deployment_id", "")), str(camera.get("camera", "")))
            for state in CAMERA_STATES:
                self.state.labels(*labels, state).set(1 if camera.get("state") == state else 0)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def _camera(self, deployment: str, data: Mapping[str, Any]) -> None:
        labels = (deployment, str(data.get("camera", "")))
        self.frames.labels(*labels).inc(max(0, int(data.get("frames_delta", 0))))
        self.frames_dropped.labels(*labels).inc(max(0, int(data.get("dropped_delta", 0))))
        self.fps.labels(*labels).set(float(data.get("fps", 0.0)))
        self.reconnects.labels(*labels).set(int(data.get("reconnects", 0)))
        if isinstance(data.get("last_frame_ts"), int | float):
            self.last_frame.labels(*labels).set(float(data["last_frame_ts"]))
        self.up.labels(*labels).set(1 if data.get("state") == "running" else 0)
