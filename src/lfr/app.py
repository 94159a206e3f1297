"""Composition root: the one place that builds models, services, the bus and the web app and
wires them together.

Nothing is built at import time; the command line calls these functions with validated
settings. ``build_engine`` makes a camera's face models; ``build_services`` opens the governed
store; ``build_control_centre`` wires everything ``lfr serve`` runs (the web app, the event
bus, the camera runtime behind its governance port, the purge and the schedule).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from lfr.access.roles import SYSTEM
from lfr.access.services import Services
from lfr.audit.log import AuditLog
from lfr.config import EngineConfig, Settings
from lfr.detect.base import FaceDetector
from lfr.detect.registry import build_detector
from lfr.domain import Image, Subject, Template
from lfr.embed.base import Aligner, Embedder
from lfr.embed.batching import BatchingEmbedder
from lfr.embed.registry import build_embedder, resolve_backend
from lfr.enrol.folder import Enroller
from lfr.pipeline.engine import Engine
from lfr.store.crypto import DataCipher
from lfr.store.db import Database, migrate, sqlite_url
from lfr.store.keys import create_keys, load_keys

if TYPE_CHECKING:
    from fastapi import FastAPI

    from lfr.api.config import WebConfig
    from lfr.centre.head_publisher import HeadPublisher
    from lfr.centre.purge_scheduler import PurgeScheduler
    from lfr.centre.schedule_enforcer import ScheduleEnforcer
    from lfr.edge.centre.link import EdgeCentre
    from lfr.events.bus import EventBus
    from lfr.runtime.host import CameraHost


def build_engine(config: EngineConfig, embedder: Embedder | None = None) -> Engine:
    """One camera's models. ``embedder``: a shared embedding service's handle (see
    ``CameraEngines``) instead of an embedder of its own."""
    # One probe at a time is far too small a job for several BLAS threads; on a 2-core machine
    # their wake-ups stalled a 0.07 ms search to 8 ms in 3 of 10 benchmark runs.
    threadpool_limits(limits=1, user_api="blas")
    detector = build_detector(config.detector)
    if embedder is None:
        aligner, embedder = build_embedder(config, demo_face_chips)
    else:
        aligner = _installed_aligner()
    return Engine(config, detector, aligner, embedder, _more_face_models(config))


def _more_face_models(config: EngineConfig) -> Callable[[], tuple[FaceDetector, Aligner]] | None:
    """For enrolment threads: HOG (which releases the GIL while it scans) and dlib's aligner;
    measured on 2 cores with the quick search: 7.5 -> 21.9 photos a second (onnx-resnet).
    Other detectors and aligners: one thread."""
    dlib_aligner = resolve_backend(config) in ("onnx-resnet", "dlib-resnet")
    if config.detector.backend != "dlib-hog" or not dlib_aligner:
        return None
    return lambda: (build_detector(config.detector), _installed_aligner())


class CameraEngines:
    """Engines for many cameras in one process: a detector and an aligner each (dlib's objects
    are not shared between threads) around ONE embedding service, which batches descriptors
    across cameras (onnx-resnet). Other backends get an engine of their own, as before."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._service: BatchingEmbedder | None = None

    def __call__(self) -> Engine:
        if resolve_backend(self.config) != "onnx-resnet":
            return build_engine(self.config)
        with self._lock:
            if self._service is None:
                from lfr.embed.resnet_onnx.service import batching_service

                self._service = batching_service(self.config, demo_face_chips)
            handle = self._service.shared()
        return build_engine(self.config, embedder=handle)

    def close(self) -> None:
        with self._lock:
            service, self._service = self._service, None
        if service is not None:
            service.close()


def _installed_aligner() -> Aligner:
    from lfr.embed.dlib_backend import installed_aligner  # dlib loads when an engine is built

    return installed_aligner()


def demo_face_chips() -> list[Image]:
    """dlib's aligned chip of every face HOG finds in the demo portrait (the one face every
    installation has): what the ONNX descriptor is checked on."""
    from lfr.detect.dlib_hog import HogDetector
    from lfr.ingest.synthetic import demo_watchlist_image

    image = demo_watchlist_image()
    aligner = _installed_aligner()
    return [aligner.align(image, d.box).chip for d in HogDetector().detect(image, 0)]


def build_services(settings: Settings, environ: Mapping[str, str]) -> Services:
    """Open the governed system: keys, database (migrated to the newest schema), audit log."""
    keys = load_keys(settings.data_dir, environ)
    url = settings.database_url or sqlite_url(settings.data_dir)
    migrate(url)
    audit = AuditLog(keys.audit_signing, keys.audit_public)
    return Services(
        Database(url),
        DataCipher(keys.data_key),
        audit,
        settings.data_dir,
        media_dirs=settings.media_dirs,
    )


def init_data_dir(settings: Settings) -> list[Path]:
    """Create the data directory and its keys (mode 0600), then the schema."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = create_keys(settings.data_dir)
    migrate(settings.database_url or sqlite_url(settings.data_dir))
    return created


class LazyEnroller:
    """Loads the face models on first use (an upload, the demo, the first photo of a folder
    import), once, so a refused request fails at once rather than after loading them; dlib's
    objects are not thread-safe, so enrolments take turns. It is its own ``EnrollerProvider``."""

    def __init__(self, config: EngineConfig | None = None) -> None:
        self._config = config or EngineConfig()
        self._lock = threading.Lock()
        self._enroller: Enroller | None = None

    def __call__(self) -> LazyEnroller:
        with self._lock:
            if self._enroller is None:
                engine = build_engine(self._config)
                self._enroller = Enroller(
                    engine.detector, engine.aligner, engine.embedder, self._config
                )
        return self

    def enrol_array(self, image: Image, subject: Subject, image_name: str) -> Template:
        self()
        with self._lock:
            assert self._enroller is not None  # built by self() above
            return self._enroller.enrol_array(image, subject, image_name)

    def enrol_image(self, path: Path, subject: Subject) -> Template:
        self()
        with self._lock:
            assert self._enroller is not None
            return self._enroller.enrol_image(path, subject)


@dataclass(frozen=True)
class ControlCentre:
    """Everything ``lfr serve`` runs, wired by ``build_control_centre``; ``start`` and ``stop``
    bring up and take down the background parts in order (the web app is served by the
    caller)."""

    services: Services
    bus: EventBus
    cameras: CameraHost
    engines: CameraEngines
    web: FastAPI
    purge: PurgeScheduler
    schedule: ScheduleEnforcer
    heads: HeadPublisher
    edge: EdgeCentre | None = None
    """The link to the edge nodes over NATS (``lfr serve --nats URL``); None: embedded only."""

    def start(self) -> list[int]:
        """Start the jobs, then resume the cameras that were running when the server last
        stopped or died (as the system: an operator started them); returns their deployments."""
        self.purge.start()
        self.schedule.start()
        self.heads.start()
        if self.edge is not None:
            self.edge.start()
        return self.cameras.resume(SYSTEM)

    def stop(self) -> list[int]:
        """Cameras first (their counts are stored), then the jobs, the audit head last, then
        the database; returns the deployments whose cameras were running."""
        stopped = self.cameras.stop_all()
        if self.edge is not None:
            self.edge.stop()
        self.engines.close()
        self.schedule.stop()
        self.purge.stop()
        self.heads.stop()
        self.services.db.dispose()
        return stopped


def build_control_centre(
    settings: Settings,
    web_config: WebConfig,
    environ: Mapping[str, str],
    *,
    engine_config: EngineConfig | None = None,
    enroller: LazyEnroller | None = None,
    purge_every_s: float = 3600.0,
    counts_every_s: float = 60.0,
    head_every_s: float = 3600.0,
    nats_url: str | None = None,
) -> ControlCentre:
    from lfr.api import create_app
    from lfr.centre.camera_port import GovernedDeployments
    from lfr.centre.head_publisher import HeadPublisher
    from lfr.centre.purge_scheduler import PurgeScheduler
    from lfr.centre.schedule_enforcer import ScheduleEnforcer
    from lfr.events import InMemoryEventBus
    from lfr.events.health import HealthBoard
    from lfr.events.metrics import Metrics
    from lfr.runtime.host import CameraHost

    engine_config = engine_config or EngineConfig()
    # Whether node cameras can run here: going live refuses them when they cannot.
    services = replace(build_services(settings, environ), edge_bus=nats_url is not None)
    bus = InMemoryEventBus()
    metrics, health = Metrics(), HealthBoard()
    metrics.attach(bus)
    health.attach(bus)
    engines = CameraEngines(engine_config)
    cameras = CameraHost(
        GovernedDeployments(services),
        bus,
        engines,
        counts_every_s=counts_every_s,
        ledger=settings.data_dir / "runtime" / "cameras.json",
    )
    web = create_app(
        services,
        bus,
        web_config,
        cameras=cameras,
        enroller=enroller or LazyEnroller(engine_config),
        metrics=metrics,
        health=health,
    )
    return ControlCentre(
        services,
        bus,
        cameras,
        engines,
        web,
        PurgeScheduler(services, purge_every_s),
        ScheduleEnforcer(services, bus),
        HeadPublisher(services, head_every_s),
        _edge_centre(services, bus, nats_url) if nats_url else None,
    )


def _edge_centre(services: Services, bus: EventBus, url: str) -> EdgeCentre:
    from lfr.edge.centre.link import EdgeCentre
    from lfr.edge.credentials.files import centre_credentials
    from lfr.store.keys import key_dir

    return EdgeCentre(services, bus, url, centre_credentials(key_dir(services.data_dir)))
