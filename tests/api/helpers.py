"""Test helpers for the web app: logging in, fakes for the camera and face-model ports, an
alert factory, a real uvicorn server and a server-sent-events reader."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import numpy as np
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.domain import Alert, Image, Subject, Template
from lfr.errors import EnrolmentError
from lfr.events import topics
from lfr.events.bus import EventBus, InMemoryEventBus
from lfr.governance.alerts.intake import store_alert
from lfr.governance.deployments import lifecycle
from lfr.imaging import encode_jpeg
from tests.gov.conftest import OPERATOR
from tests.gov.factories import CONTRACT, PASSWORD, add_deployment, ensure_snapshot
from tests.waiting import PATIENCE_S

Json = dict[str, Any]


class WallClock:
    """The web app's clock (seconds since the epoch), movable by tests."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` in with a page session; its later requests send the CSRF header."""
    response = client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    csrf: str = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    return csrf


def as_user(app: FastAPI, username: str) -> TestClient:
    client = TestClient(app)
    login(client, username)
    return client


def bearer(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class FakeCameras:
    """Stands in for the camera host: records who asked to run which deployment."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, int]] = []
        self.stopped: list[int] = []

    def run(self, actor: Actor, deployment_id: int) -> None:
        require(actor, Action.DEPLOYMENT_RUN)
        self.runs.append((actor.username, deployment_id))

    def stop(self, deployment_id: int) -> bool:
        self.stopped.append(deployment_id)
        return deployment_id in {d for _, d in self.runs}


class _Enroller:
    """A photo that is almost black has 'no face'; any other gives a 4-d template."""

    calls = 0

    def enrol_array(self, image: Image, subject: Subject, image_name: str) -> Template:
        _Enroller.calls += 1
        if float(np.mean(image)) < 8.0:
            raise EnrolmentError(image_name, "no face found")
        return Template(
            subject=subject,
            embedding=np.array([0.0, 0.0, 0.0, 1.0], np.float32),
            contract=CONTRACT,
            image_name=image_name,
            face_jpeg=encode_jpeg(np.ascontiguousarray(image[:32, :32])),
        )


def FakeEnroller() -> _Enroller:  # noqa: N802 - used as the enroller provider
    return _Enroller()


def photo(seed: int = 1, dark: bool = False) -> bytes:
    if dark:
        return encode_jpeg(np.zeros((48, 48, 3), np.uint8))
    rng = np.random.default_rng(seed)
    return encode_jpeg(rng.integers(40, 255, (48, 48, 3), dtype=np.uint8))


def make_alert(reference: str = "WL-0001", name: str = "Person 1", camera: str = "cam-1") -> Alert:
    rng = np.random.default_rng(5)
    return Alert(
        id=str(uuid.uuid4()),
        subject=Subject(reference, name, "wanted by the courts", "warrant 77", "custody record"),
        distance=0.31,
        score=0.69,
        threshold=0.5,
        camera=camera,
        time_s=3.2,
        frame=80,
        track=2,
        probe_crop=rng.integers(0, 255, (40, 32, 3), dtype=np.uint8),
        enrolled_crop=rng.integers(0, 255, (40, 32, 3), dtype=np.uint8),
        enrolled_image="1.jpg",
    )


def raise_alert(services: Services, bus: EventBus, deployment_id: int, **changes: Any) -> str:
    """What a camera worker does: store the alert, then announce it on the bus (the deployment
    gets the snapshot a live one has, whose subjects alone intake accepts)."""
    ensure_snapshot(services, deployment_id)
    alert = make_alert(**changes)
    assert store_alert(services, deployment_id, alert)
    topics.publish_alert(bus, deployment_id, alert.id, alert.camera)
    return alert.id


def look_at_faces(client: TestClient, alert_id: str) -> None:
    """Load both pictures of an alert in this client's login session, as the alert card does:
    only then may that session decide about it."""
    for picture in ("probe", "enrolled"):
        response = client.get(f"/api/alerts/{alert_id}/media/{picture}")
        assert response.status_code == 200, response.text


def ended_with_alerts(services: Services, bus: InMemoryEventBus, app: FastAPI) -> int:
    deployment_id = add_deployment(services, state="live")
    alert_id = raise_alert(services, bus, deployment_id, name="Jane Q Wanted", reference="WL-0001")
    raise_alert(services, bus, deployment_id, name="Jane Q Wanted", reference="WL-0001")
    olive = as_user(app, "olive")
    look_at_faces(olive, alert_id)
    olive.post(f"/api/alerts/{alert_id}/adjudicate", json={"decision": "confirmed"})
    lifecycle.end(services, OPERATOR, deployment_id)
    return deployment_id


# --- a real server and a server-sent-events client ---------------------------------------------


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", timeout_graceful_shutdown=1
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = ""

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + PATIENCE_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def token(self, username: str) -> dict[str, str]:
        response = httpx.post(
            f"{self.url}/api/auth/token", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


@dataclass
class SseEvent:
    event: str = "message"
    id: str | None = None
    data: str = ""
    received_at: float = 0.0
    """time.perf_counter() on arrival"""
    received_wall: float = 0.0
    """time.time() on arrival"""


@dataclass
class SseReader:
    """Reads a server-sent-event stream on a thread; ``next`` waits for the next event."""

    url: str
    headers: dict[str, str]
    events: queue.Queue[SseEvent] = field(default_factory=queue.Queue)
    opened: threading.Event = field(default_factory=threading.Event)
    status: int | None = None
    body: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self, timeout: float = PATIENCE_S) -> SseReader:
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.opened.wait(timeout), "the stream did not open"
        return self

    def next(self, timeout: float = PATIENCE_S, kind: str | None = "alert") -> SseEvent:
        """The next event of ``kind`` (others are skipped); waits for it, failing only after a
        time-out that a busy machine does not reach."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind or 'any'} event within {timeout} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if kind is None or event.event == kind:
                return event

    def take(self, count: int, kind: str = "alert") -> list[SseEvent]:
        """The next ``count`` events of ``kind``. To show that nothing else came, a test then
        makes one more event happen and expects it next (no guessing how long to listen)."""
        return [self.next(kind=kind) for _ in range(count)]

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _read(self) -> None:
        with (
            httpx.Client(timeout=httpx.Timeout(PATIENCE_S)) as client,
            client.stream("GET", self.url, headers=self.headers) as response,
        ):
            self.status = response.status_code
            if response.status_code != 200:
                self.body = response.read().decode()
                self.opened.set()
                return
            current = SseEvent()
            lines = response.iter_lines()
            while not self._stop.is_set():
                try:  # the server's keep-alive comments wake this loop twice a second
                    line = next(lines)
                except (StopIteration, httpx.HTTPError):
                    return
                if line.startswith("retry:"):
                    self.opened.set()
                elif line.startswith("event:"):
                    current.event = line[6:].strip()
                elif line.startswith("id:"):
                    current.id = line[3:].strip()
                elif line.startswith("data:"):
                    current.data += line[5:].strip()
                elif line == "" and current.data:
                    current.received_at = time.perf_counter()
                    current.received_wall = time.time()
                    self.events.put(current)
                    current = SseEvent()
