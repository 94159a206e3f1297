"""The engine: the face models of one camera (detector, aligner, embedder) and how a frame
source is scanned with them against a watchlist. Built by the composition root
(``lfr.app.build_engine``); used by the command line, the camera runtime and the evaluator."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lfr.config import EngineConfig
from lfr.detect.base import FaceDetector
from lfr.detect.scaled import ScaledDetector
from lfr.domain import Alert, RunSummary
from lfr.embed.base import Aligner, AsyncEmbedder, Embedder
from lfr.enrol.folder import Enroller, EnrolmentReport, enrol_folder
from lfr.enrol.parallel import enrol_folder_parallel
from lfr.errors import WatchlistError
from lfr.ingest.base import FrameSource
from lfr.match.negatives import LookalikeNegatives
from lfr.match.watchlist import Watchlist
from lfr.pipeline.runner import ProgressHandler, run_camera
from lfr.pipeline.worker import CameraWorker


@dataclass(frozen=True, slots=True)
class Engine:
    config: EngineConfig
    detector: FaceDetector
    """The raw detector, at the resolution it is given (enrolment uses it on photos)."""
    aligner: Aligner
    embedder: Embedder
    more_face_models: Callable[[], tuple[FaceDetector, Aligner]] | None = None
    """Builds another detector and aligner for a worker thread (dlib's objects serve one
    thread at a time), so enrolment prepares photos on every core; None: on one thread."""

    def close(self) -> None:
        """Stop a worker process the embedder may run (see ``EmbedderConfig.separate_process``)."""
        if isinstance(self.embedder, AsyncEmbedder):
            self.embedder.close()

    @property
    def live_detector(self) -> FaceDetector:
        """The detector for video: frames are shrunk to the configured width first."""
        cfg = self.config.detector
        return ScaledDetector(self.detector, cfg.max_width, cfg.upsample)


def enrol_watchlist(
    engine: Engine, root: Path, progress: bool = True
) -> tuple[Watchlist, EnrolmentReport]:
    enroller = Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)
    workers = engine.config.enrol_workers or len(os.sched_getaffinity(0))
    make_models = engine.more_face_models
    if workers > 1 and make_models is not None:
        own = [(engine.detector, engine.aligner)]  # idle here otherwise: the first worker's

        def worker_enroller() -> Enroller:
            try:
                models = own.pop()
            except IndexError:
                models = make_models()
            return Enroller(*models, engine.embedder, engine.config)

        report = enrol_folder_parallel(root, enroller, worker_enroller, workers, progress=progress)
    else:
        report = enrol_folder(root, enroller, progress=progress)
    if not report.templates:
        reasons = "; ".join(str(e) for e in report.errors[:3])
        raise WatchlistError(f"{root}: no usable enrolment photo ({reasons or 'no images'})")
    return Watchlist.from_templates(engine.embedder.contract, report.templates), report


def load_watchlist(engine: Engine, path: Path) -> Watchlist:
    return Watchlist.load(path, expected=engine.embedder.contract)


def _live(source: FrameSource) -> bool:
    """Frames that come at a camera's pace (a stream, a file played in real time), which the
    pipeline can fall behind; a file read offline waits for the pipeline."""
    return bool(getattr(source, "realtime", False)) and not source.still_images


def still_image_rules(config: EngineConfig) -> EngineConfig:
    """A photo is one shot of each face: evidence cannot build up over frames, so one hit
    under the threshold is the evidence, and every photo is judged on its own."""
    return EngineConfig.model_validate(
        {
            **config.model_dump(),
            "alert": {
                **config.alert.model_dump(),
                "hits_needed": 1,
                "window": 1,
                "cooldown_s": 0.0,
            },
            "embedding": {**config.embedding.model_dump(), "window_frames": 1},
        }
    )


def run_source(
    engine: Engine,
    source: FrameSource,
    watchlist: Watchlist,
    on_alert: Callable[[Alert], None],
    max_frames: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    on_progress: ProgressHandler | None = None,
    negatives: LookalikeNegatives | None = None,
) -> RunSummary:
    """Scan one source until it ends, ``max_frames`` are read or ``should_stop()`` says so;
    ``on_progress`` hears the counts after each frame (to store them as the run goes);
    ``negatives``: rejected lookalikes that must not alert again (may grow meanwhile)."""
    config = still_image_rules(engine.config) if source.still_images else engine.config
    worker = CameraWorker(
        source.camera, engine.aligner, engine.embedder, watchlist, config, negatives=negatives
    )
    try:
        return run_camera(
            source,
            engine.live_detector,
            worker,
            on_alert,
            max_frames=max_frames,
            should_stop=should_stop,
            on_progress=on_progress,
            late_s=config.tracker.late_frame_ms / 1000.0 if _live(source) else 0.0,
        )
    finally:
        source.close()
