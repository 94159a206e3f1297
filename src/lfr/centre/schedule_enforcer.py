"""Schedule enforcement inside ``lfr serve``: once a minute, as the system actor, end the
deployments whose window is over and refuse emergency starts not authorised in time
(``lfr.governance.authority.schedule.enforce_schedule``); each action is announced on the bus."""

from __future__ import annotations

import logging
import re
import threading

from lfr.access.services import Services
from lfr.events import topics
from lfr.events.bus import EventBus
from lfr.governance.authority.schedule import enforce_schedule
from lfr.governance.states import DeploymentState

log = logging.getLogger(__name__)
_DEPLOYMENT_ID = re.compile(r"deployment (\d+)")


class ScheduleEnforcer:
    def __init__(self, services: Services, bus: EventBus, interval_s: float = 60.0) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._services = services
        self._bus = bus
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="lfr-schedule", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout_s)

    def run_once(self) -> list[str]:
        try:
            lines = enforce_schedule(self._services)
        except Exception:
            log.exception("schedule enforcement failed; retrying in %ss", self._interval_s)
            return []
        for line in lines:
            log.info("schedule: %s", line)
            found = _DEPLOYMENT_ID.search(line)
            deployment_id = int(found.group(1)) if found else 0
            topics.publish_deployment(
                self._bus, deployment_id, DeploymentState.ENDED, "system", line
            )
        return lines

    def _loop(self) -> None:
        while True:
            self.run_once()
            if self._stop.wait(self._interval_s):
                return
