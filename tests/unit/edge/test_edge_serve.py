"""``lfr edge run``'s process (``lfr.edge.node.serve``) stops when told, even while its first
connection is still being retried (a bus down or refusing it): SIGTERM must not wait minutes."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading

from lfr.edge.credentials.files import BusCredentials
from lfr.edge.node.serve import serve_node


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe closes


def _no_engine() -> object:
    raise AssertionError("no camera may start without a bus")


def test_a_node_told_to_stop_while_its_bus_is_unreachable_stops_at_once() -> None:
    credentials = BusCredentials("node1", "pw", base64.b64encode(os.urandom(32)).decode())
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    node = asyncio.run(
        serve_node(
            f"nats://127.0.0.1:{_closed_port()}",
            credentials,
            _no_engine,  # type: ignore[arg-type]
            stop,
        )
    )
    # returned (not raised, not still retrying): the stop ended the connecting, nothing ran
    assert node.running() == ()
