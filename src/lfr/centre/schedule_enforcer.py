"""Schedule enforcement inside ``lfr serve``: once a minute, as the system actor, end the
deployments whose window is over and refuse emergency starts not authorised in time
(``lfr.governance.authority.schedule.enforce_schedule``); each action is announced on the
bus with the deployment it ended."""

from __future__ import annotations

import logging

from lfr.access.services import Services
from lfr.centre.periodic import PeriodicJob
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.governance.authority.actions import ScheduleAction
from lfr.governance.authority.schedule import enforce_schedule
from lfr.governance.states import DeploymentState

log = logging.getLogger(__name__)


class ScheduleEnforcer(PeriodicJob):
    def __init__(self, services: Services, bus: EventBus, interval_s: float = 60.0) -> None:
        super().__init__("lfr-schedule", self.run_once, interval_s)
        self._services = services
        self._bus = bus

    def run_once(self) -> list[ScheduleAction]:
        try:
            actions = enforce_schedule(self._services)
        except Exception:
            log.exception("schedule enforcement failed; retrying in %ss", self.every_s)
            return []
        for action in actions:
            log.info("schedule: %s", action)
            topics.publish_deployment(
                self._bus, action.deployment_id, DeploymentState.ENDED, "system", str(action)
            )
        return actions
