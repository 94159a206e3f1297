"""The metrics fed from the bus: each app has its own registry."""

from __future__ import annotations

from lfr.events.metrics import Metrics


def test_two_apps_never_share_counters() -> None:
    first, second = Metrics(), Metrics()
    first.alerts.labels("1").inc()
    assert 'lfr_alerts_total{deployment="1"}' not in second.render().decode()
