"""The cameras' port onto the governed store: ``lfr.runtime.port.DeploymentPort`` on the
database. The runtime asks; governance decides (permission, state, window) and records."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Alert
from lfr.errors import NotFoundError, PolicyViolationError, StateError
from lfr.governance import alert_intake
from lfr.governance.camera_sources import (
    CameraSourcePolicy,
    camera_source_problems,
    checked_source,
    media_folders,
    open_cameras,
)
from lfr.governance.policy_service import policy_in_force
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
            rules = policy_in_force(session).camera_sources
            cameras = open_cameras(self.services.cipher, row.id, row.cameras)
            return self._allowed(deployment_id, cameras, rules), row.threshold

    def _allowed(
        self, deployment_id: int, cameras: dict[str, str], rules: CameraSourcePolicy
    ) -> dict[str, str]:
        """Each source as it will be opened (a local file by its real path, so a link swapped
        after planning cannot lead outside the media folder); refused if any breaks the rules."""
        media = media_folders(self.services)
        problems = camera_source_problems(cameras, rules, media)
        if problems:
            raise PolicyViolationError(
                f"deployment {deployment_id}'s cameras may not run: " + "; ".join(problems)
            )
        return {name: checked_source(spec, rules, media) for name, spec in cameras.items()}
