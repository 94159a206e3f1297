"""The retention purge inside ``lfr serve``: ``lfr.governance.retention.purge.purge`` as the
system actor at once and then every ``interval_s`` seconds. A failed run is logged and
retried at the next interval; it never reaches the caller."""

from __future__ import annotations

import logging
import threading

from lfr.access.roles import SYSTEM, Actor
from lfr.access.services import Services
from lfr.centre.periodic import PeriodicJob
from lfr.governance.retention.purge import PurgeReport, purge

log = logging.getLogger(__name__)


class PurgeScheduler(PeriodicJob):
    """Use ``start``/``stop`` or as a context manager; ``runs``, ``failures`` and
    ``last_report`` say how it went (for ``/metrics`` and the tests)."""

    def __init__(self, services: Services, interval_s: float, actor: Actor = SYSTEM) -> None:
        super().__init__("lfr-purge", self.run_once, interval_s)
        self._services = services
        self._actor = actor
        self._lock = threading.Lock()
        self._runs = 0
        self._failures = 0
        self._last: PurgeReport | None = None

    @property
    def runs(self) -> int:
        with self._lock:
            return self._runs

    @property
    def failures(self) -> int:
        with self._lock:
            return self._failures

    @property
    def last_report(self) -> PurgeReport | None:
        with self._lock:
            return self._last

    def stop(self, timeout_s: float | None = 30.0) -> None:
        """A purge in progress may take longer than the other jobs: wait for it longer."""
        super().stop(timeout_s)

    def run_once(self) -> PurgeReport | None:
        try:
            report = purge(self._services, self._actor)
        except Exception:
            log.exception("scheduled retention purge failed; retrying in %ss", self.every_s)
            with self._lock:
                self._failures += 1
            return None
        with self._lock:
            self._runs += 1
            self._last = report
        if report.removed:
            log.info(
                "retention purge: %d alert media, %d alerts, %d snapshot templates,"
                " %d enrolment images removed",
                report.alert_media_purged,
                report.alerts_deleted,
                report.snapshot_templates_deleted,
                report.entry_images_deleted,
            )
        return report
