"""What ``lfr edge run`` says of each alert is read back by its operator, the fault tests and
the edge benchmark through one parser."""

from __future__ import annotations

from lfr.cli.fleet.edge_run import raised_alert_ids


def test_the_raised_alert_ids_are_read_in_order_and_nothing_else_is() -> None:
    output = (
        "edge node van-1 on nats://127.0.0.1:4222\n"
        "edge node van-1: on this machine's leaf server: what it sends is kept there\n"
        "edge node van-1: alert 3f2a-cam1-17 raised\n"
        "2026-12-07 INFO lfr.runtime: alert 9999 raised in a log line, not by the node\n"
        "edge node van-1: alert 3f2a-cam1-40 raised\n"
        "edge node van-1: alert half-writ"
    )
    assert raised_alert_ids(output) == ["3f2a-cam1-17", "3f2a-cam1-40"]
