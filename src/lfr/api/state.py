"""Everything a request handler needs, built once by ``create_app`` and kept on the app."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.templating import Jinja2Templates

from lfr.access.services import Services
from lfr.api.config import WebConfig
from lfr.api.login_throttle import LoginThrottle
from lfr.api.ports import CameraControl, EnrollerProvider
from lfr.api.sessions import SessionSigner
from lfr.api.stream_slots import StreamSlots
from lfr.events.bus import EventBus
from lfr.events.health import HealthBoard
from lfr.events.metrics import Metrics


@dataclass(frozen=True)
class AppState:
    services: Services
    bus: EventBus
    config: WebConfig
    sessions: SessionSigner
    metrics: Metrics
    health: HealthBoard
    templates: Jinja2Templates
    streams: StreamSlots
    login_throttle: LoginThrottle
    cameras: CameraControl | None = None
    enroller: EnrollerProvider | None = None
