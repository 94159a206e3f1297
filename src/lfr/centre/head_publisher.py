"""Publishing the audit chain's head inside ``lfr serve`` (``lfr.audit.heads``): at once, then
every ``every_s`` seconds, and once more on stop; a failure is logged and retried at the next
interval."""

from __future__ import annotations

import logging

from lfr.access.services import Services
from lfr.audit.heads import PublishedHead, publish_head
from lfr.centre.periodic import PeriodicJob

log = logging.getLogger(__name__)


class HeadPublisher(PeriodicJob):
    def __init__(self, services: Services, every_s: float = 3600.0) -> None:
        super().__init__("lfr-audit-head", self.publish_now, every_s)
        self._services = services

    def publish_now(self) -> PublishedHead | None:
        try:
            with self._services.transaction() as session:
                return publish_head(session, self._services.data_dir, self._services.clock())
        except Exception:
            log.exception("publishing the audit head failed; retrying in %ss", self.every_s)
            return None

    def stop(self, timeout_s: float | None = 10.0) -> None:
        """Stop, then publish once more: the head of everything done before the stop."""
        super().stop(timeout_s)
        self.publish_now()
