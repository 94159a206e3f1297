"""The control centre as ``lfr serve --nats URL`` composes it (``lfr.app.build_control_centre``),
in the benchmark's process so the rounds can govern its deployments directly, with its web app
served by uvicorn on a thread; an officer's SSE client on the live alert stream; and a listener
on the centre's in-process bus that takes each stored alert's timings (``topics.ALERT``:
raised -> stored, as ``/metrics`` takes them)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from edge_setup import accepting, free_port, wait_for
from lfr.api import WebConfig
from lfr.app import ControlCentre, build_control_centre
from lfr.config import Settings
from lfr.events import topics
from lfr.events.bus import Event


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """One alert stored by the centre: wall-clock seconds (one machine, one clock)."""

    alert_id: str
    camera: str
    raised_at: float
    stored_at: float
    engine_latency_s: float


class AlertTimings:
    """Stored alerts (from the bus) and when the SSE client received each (by id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.stored: dict[str, StoredAlert] = {}
        self.received: dict[str, float] = {}

    def on_event(self, event: Event) -> None:
        data = event.data
        alert = StoredAlert(
            alert_id=str(data["alert_id"]),
            camera=str(data.get("camera", "")),
            raised_at=event.published_at - float(data.get("store_s", 0.0)),
            stored_at=event.published_at,
            engine_latency_s=float(data.get("engine_latency_s", 0.0)),
        )
        with self._lock:
            self.stored[alert.alert_id] = alert

    def on_received(self, alert_id: str, at: float) -> None:
        with self._lock:
            self.received.setdefault(alert_id, at)

    def received_all(self, ids: set[str]) -> bool:
        with self._lock:
            return ids <= set(self.received)


class SseClient:
    """A logged-in officer's ``GET /api/alerts/stream``, on a thread, noting when each alert
    event arrives."""

    def __init__(self, base: str, token: str, timings: AlertTimings) -> None:
        self._base, self._token, self._timings = base, token, timings
        self._stop = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sse-client", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(10.0, read=None)
        with httpx.stream(
            "GET", f"{self._base}/api/alerts/stream", headers=headers, timeout=timeout
        ) as response:
            response.raise_for_status()
            self.connected.set()
            event_id = ""
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("id: "):
                    event_id = line[4:].strip()
                elif line == "event: alert" and event_id:
                    self._timings.on_received(event_id, time.time())
                elif not line:
                    event_id = ""

    def stop(self) -> None:
        self._stop.set()  # the next keep-alive or event ends the loop; the thread is a daemon


class RunningCentre:
    """Started by ``start``; ``stop`` takes it all down."""

    def __init__(self, settings: Settings, nats_url: str) -> None:
        config = WebConfig(session_key=os.urandom(32), secure_cookies=False, keepalive_s=2.0)
        self.centre: ControlCentre = build_control_centre(settings, config, {}, nats_url=nats_url)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.timings = AlertTimings()
        self._subscription = self.centre.bus.subscribe(self.timings.on_event, (topics.ALERT,))
        self.beats: dict[str, float] = {}
        """Each node's latest heartbeat (epoch seconds on the node) that reached the centre."""
        self._beats = self.centre.bus.subscribe(self._on_beat, (topics.NODE,))
        self._server = uvicorn.Server(
            uvicorn.Config(self.centre.web, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, name="web", daemon=True)
        self.client: SseClient | None = None

    def _on_beat(self, event: Event) -> None:
        self.beats[str(event.data["node"])] = float(event.data["sent_at"])

    def online_since(self, nodes: list[str], since: float) -> bool:
        return all(self.beats.get(node, 0.0) >= since for node in nodes)

    def start(self, username: str, password: str) -> None:
        self.centre.start()
        self._thread.start()
        wait_for(lambda: accepting(self.port), 60, "the web app")
        token = self._token(username, password)
        self.client = SseClient(self.base, token, self.timings)
        if not self.client.connected.wait(30):
            raise TimeoutError("the alert stream did not answer")

    def _token(self, username: str, password: str) -> str:
        response = httpx.post(
            f"{self.base}/api/auth/token",
            json={"username": username, "password": password},
            timeout=30,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return str(body["access_token"])

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop()
        self._subscription.close()
        self._beats.close()
        self._server.should_exit = True
        self._thread.join(10)
        self.centre.stop()
