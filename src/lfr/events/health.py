"""The latest health of every camera, kept from the bus: what the supervisor's screen shows.

It listens to the bus only, so it works the same whether the cameras run in this process or on
another machine.
"""

from __future__ import annotations

import threading
from typing import Any

from lfr.events import topics
from lfr.events.bus import Event, EventBus, Subscription


class HealthBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cameras: dict[tuple[int, str], dict[str, Any]] = {}
        self._runs: dict[int, dict[str, Any]] = {}

    def attach(self, bus: EventBus) -> Subscription:
        return bus.subscribe(self.handle, (topics.CAMERA_HEALTH, topics.RUN))

    def handle(self, event: Event) -> None:
        deployment_id = int(event.data.get("deployment_id", 0))
        with self._lock:
            if event.topic == topics.CAMERA_HEALTH:
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
                dict(health)
                for (dep, _), health in sorted(self._cameras.items())
                if deployment_id is None or dep == deployment_id
            ]

    def run(self, deployment_id: int) -> dict[str, Any] | None:
        """The last run event of this deployment (state "running" or "stopped")."""
        with self._lock:
            found = self._runs.get(deployment_id)
            return dict(found) if found is not None else None

    def running(self, deployment_id: int) -> bool:
        run = self.run(deployment_id)
        return run is not None and run.get("state") == "running"
