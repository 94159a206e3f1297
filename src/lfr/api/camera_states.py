"""Every camera's state as the centre knows it, for ``/api/cameras``, the deployment page and
``/metrics``: what the cameras said on the bus, and each planned camera of a live deployment
that has said nothing yet as starting, so no camera is ever silently absent."""

from __future__ import annotations

from typing import Any

from lfr.api.state import AppState
from lfr.events.health import starting
from lfr.governance.deployments.camera_nodes import live_cameras


def camera_states(state: AppState, deployment_id: int | None) -> list[dict[str, Any]]:
    """Every camera heard from, and each camera of a live deployment not heard from yet as
    starting: on an edge node always; in ``lfr serve`` once its run started (before that, the
    deployment page says it is not running)."""
    health = state.health
    shown = {(int(h["deployment_id"]), str(h["camera"])): h for h in health.cameras(deployment_id)}
    for dep, cameras in live_cameras(state.services, deployment_id).items():
        run = health.running(dep)
        for camera, node in cameras.items():
            if (dep, camera) not in shown and (node is not None or run):
                shown[(dep, camera)] = starting(dep, camera) | ({"node": node} if node else {})
    return [shown[key] for key in sorted(shown)]
