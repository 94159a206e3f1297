"""The metrics fed from the bus: each app has its own registry."""

from __future__ import annotations

from lfr.events.metrics import Metrics


def test_two_apps_never_share_counters() -> None:
    first, second = Metrics(), Metrics()
    first.alerts.inc()
    assert "lfr_alerts_total 1.0" in first.render().decode()
    assert "lfr_alerts_total 0.0" in second.render().decode()
