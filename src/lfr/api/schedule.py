"""The public schedule as the public page and ``/api/public/deployments`` show it: each live
deployment with how many of its cameras run now, so "live" never hides that none does."""

from __future__ import annotations

from typing import Any

from lfr.api.state import AppState
from lfr.governance.records.published import public_schedule
from lfr.governance.states import DeploymentState


def announced_schedule(state: AppState) -> list[dict[str, Any]]:
    return [
        item
        | {
            "cameras_running": state.health.cameras_running(item["deployment_id"])
            if item["state"] == DeploymentState.LIVE
            else None
        }
        for item in public_schedule(state.services)
    ]
