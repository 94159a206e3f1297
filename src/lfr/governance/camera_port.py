"""The cameras' port onto the governed store: ``lfr.runtime.port.DeploymentPort`` on the
database. The runtime asks; governance decides (permission, state, window) and records."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Alert
from lfr.errors import NotFoundError, StateError
from lfr.governance import alert_intake
from lfr.governance.schedule import WINDOW_ENDED, enforce_schedule
from lfr.governance.snapshot import load_snapshot
from lfr.governance.states import DeploymentState
from lfr.runtime.port import LiveDeployment, RunCounts
from lfr.store.tables import Deployment


class GovernedDeployments:
    """Implements ``DeploymentPort`` with the governance services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def open_run(self, actor: Actor, deployment_id: int) -> LiveDeployment:
        require(actor, Action.DEPLOYMENT_RUN)
        cameras, threshold = self._live_cameras(deployment_id)
        watchlist = load_snapshot(self.services, actor, deployment_id)
        return LiveDeployment(deployment_id, cameras, threshold, watchlist)

    def store_alert(self, deployment_id: int, alert: Alert) -> bool:
        return alert_intake.store_alert(self.services, deployment_id, alert)

    def add_counts(self, deployment_id: int, counts: RunCounts) -> bool:
        return alert_intake.add_counts(
            self.services,
            deployment_id,
            frames=counts.frames,
            face_detections=counts.face_detections,
            tracks=counts.tracks,
        )

    def stop_reason(self, deployment_id: int) -> str | None:
        with self.services.transaction() as session:
            row = session.get(Deployment, deployment_id)
            if row is None or row.state != DeploymentState.LIVE:
                return f"deployment is {row.state if row else 'gone'}"
            if self.services.clock() >= row.ends_at:
                return WINDOW_ENDED
        return None

    def enforce_schedule(self) -> list[str]:
        return enforce_schedule(self.services)

    def _live_cameras(self, deployment_id: int) -> tuple[dict[str, str], float]:
        with self.services.transaction() as session:
            row = session.get(Deployment, deployment_id)
            if row is None:
                raise NotFoundError(f"no deployment with id {deployment_id}")
            if row.state != DeploymentState.LIVE:
                raise StateError(
                    f"deployment {deployment_id} is {row.state}; only a live deployment's"
                    " cameras can run"
                )
            if self.services.clock() >= row.ends_at:
                raise StateError(f"deployment {deployment_id}'s window has ended")
            return {str(k): str(v) for k, v in row.cameras.items()}, row.threshold
