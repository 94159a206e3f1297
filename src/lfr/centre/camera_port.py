"""The cameras' port onto the governed store: ``lfr.runtime.port.DeploymentPort`` on the
database. The runtime asks; governance decides (permission, state, window) and records."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Alert
from lfr.errors import NotFoundError, PolicyViolationError, StateError
from lfr.governance.alerts import intake as alert_intake
from lfr.governance.authority.schedule import WINDOW_ENDED, enforce_schedule
from lfr.governance.deployments.authority_rules import authorised_end, cameras_outside_grant
from lfr.governance.deployments.camera_nodes import in_process
from lfr.governance.deployments.camera_sources import (
    camera_source_problems,
    checked_source,
    media_folders,
    open_cameras,
)
from lfr.governance.deployments.plan import audit_target
from lfr.governance.deployments.snapshot import load_snapshot
from lfr.governance.law.policy import CameraSourcePolicy
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.law.profiles import LIMITS_TIME_PLACE_PERSONS, RULES
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists import lookalikes
from lfr.match.negatives import LookalikeNegatives, Negative
from lfr.runtime.port import LiveDeployment, RunCounts
from lfr.store.tables import Deployment


class GovernedDeployments:
    """Implements ``DeploymentPort`` with the governance services."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def open_run(self, actor: Actor, deployment_id: int) -> LiveDeployment:
        require(actor, Action.DEPLOYMENT_RUN)
        cameras, threshold = self._live_cameras(actor, deployment_id)
        watchlist = load_snapshot(self.services, actor, deployment_id)
        negatives = LookalikeNegatives(lookalikes.negatives_after(self.services, deployment_id, 0))
        return LiveDeployment(deployment_id, cameras, threshold, watchlist, negatives)

    def lookalike_negatives(self, deployment_id: int, after_id: int) -> list[Negative]:
        return lookalikes.negatives_after(self.services, deployment_id, after_id)

    def store_alert(self, deployment_id: int, alert: Alert) -> bool:
        return alert_intake.store_alert(self.services, deployment_id, alert)

    def add_counts(self, deployment_id: int, counts: RunCounts) -> bool:
        return alert_intake.add_counts(
            self.services,
            deployment_id,
            frames=counts.frames,
            face_detections=counts.face_detections,
            tracks=counts.tracks,
            lookalikes_suppressed=counts.lookalikes_suppressed,
        )

    def stop_reason(self, deployment_id: int) -> str | None:
        with self.services.transaction() as session:
            row = session.get(Deployment, deployment_id)
            if row is None or row.state != DeploymentState.LIVE:
                return f"deployment is {row.state if row else 'gone'}"
            if self.services.clock() >= authorised_end(session, row):
                return WINDOW_ENDED
        return None

    def enforce_schedule(self) -> list[str]:
        return [str(action) for action in enforce_schedule(self.services)]

    def _live_cameras(self, actor: Actor, deployment_id: int) -> tuple[dict[str, str], float]:
        with self.services.transaction() as session:
            row = session.get(Deployment, deployment_id)
            if row is None:
                raise NotFoundError(f"no deployment with id {deployment_id}")
            if row.state != DeploymentState.LIVE:
                raise StateError(
                    f"deployment {deployment_id} is {row.state}; only a live deployment's"
                    " cameras can run"
                )
            if self.services.clock() >= authorised_end(session, row):
                raise StateError(f"deployment {deployment_id}'s window has ended")
            rules = policy_in_force(session).camera_sources
            # Cameras on edge nodes run there (lfr.edge.centre.commands), not here.
            cameras = in_process(open_cameras(self.services.cipher, row.id, row.cameras))
            outside = cameras_outside_grant(session, row, cameras)
            if outside:  # EU AI Act Art. 5(2): only the cameras the authority granted run
                self.services.record(
                    session,
                    actor.username,
                    "deployment.cameras.refused",
                    audit_target(row.id),
                    {"cameras": outside, "source": RULES[LIMITS_TIME_PLACE_PERSONS].source},
                )
                cameras = {name: spec for name, spec in cameras.items() if name not in outside}
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
