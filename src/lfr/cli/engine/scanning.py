"""What the scanning commands do (``run``, ``demo``, ``watchlist enrol|show``), in terms of the
composition root; imported only once the arguments are valid, as it loads OpenCV and dlib."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from lfr.alert.sinks import AlertSink
from lfr.app import build_engine
from lfr.cli.stopping import StopRequest, stop_on_signals
from lfr.config import EngineConfig
from lfr.domain import RunSummary, Subject
from lfr.enrol.folder import Enroller, EnrolmentReport
from lfr.errors import EnrolmentError, WatchlistError
from lfr.ingest.base import FrameSource
from lfr.ingest.factory import open_source
from lfr.ingest.stream import StreamSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, enrol_watchlist, load_watchlist, run_source


@dataclass(frozen=True, slots=True)
class ScanRequest:
    source: str
    """Video file, stream URL, webcam index or image folder."""
    watchlist_file: Path | None
    watchlist_dir: Path | None
    """Exactly one of the two: a watchlist file, or a folder to enrol first."""
    camera: str | None = None
    realtime: bool = False
    max_frames: int | None = None


def run_scan(
    config: EngineConfig,
    request: ScanRequest,
    sink: AlertSink,
    log: TextIO,
    stop: StopRequest | None = None,
) -> RunSummary:
    """Scan the source; once scanning has begun, SIGINT or SIGTERM set ``stop`` and end it
    cleanly (the source closed, the summary returned)."""
    stop = stop or StopRequest()
    engine = build_engine(config)
    try:
        # Open the source first: a wrong path should fail before minutes of enrolment.
        source = open_source(
            request.source,
            camera=request.camera,
            realtime=request.realtime,
            image_limits=config.images,
        )
        try:
            watchlist = _watchlist_for(engine, request, log)
        except BaseException:
            source.close()
            raise
        with stop_on_signals(stop):
            stop.on_stop(lambda: _close_live(source))
            return run_source(
                engine,
                source,
                watchlist,
                sink.publish,
                max_frames=request.max_frames,
                should_stop=stop.is_set,
            )
    finally:
        engine.close()


def _close_live(source: FrameSource) -> None:
    """A stream may be waiting for its next frame (or to reconnect): closing it ends the wait.
    Other sources are read between frames, where the stop request is seen."""
    if isinstance(source, StreamSource):
        source.close(join_s=0.0)


def _watchlist_for(engine: Engine, request: ScanRequest, log: TextIO) -> Watchlist:
    if request.watchlist_file is not None:
        return load_watchlist(engine, request.watchlist_file)
    if request.watchlist_dir is None:
        raise WatchlistError("give a watchlist file or a folder to enrol")
    watchlist, report = enrol_watchlist(engine, request.watchlist_dir, progress=log.isatty())
    _report_enrolment(report, watchlist, log)
    return watchlist


def _report_enrolment(report: EnrolmentReport, watchlist: Watchlist, log: TextIO) -> None:
    for error in report.errors:
        log.write(f"lfr: skipped enrolment photo {error}\n")
    for reference in report.subjects_without_template:
        log.write(f"lfr: warning: subject {reference} has no usable photo and is not searched\n")
    log.write(
        f"lfr: watchlist of {len(watchlist.subjects)} subjects, {watchlist.size} templates"
        f" ({len(report.errors)} photos skipped)\n"
    )


def enrol_to_file(config: EngineConfig, folder: Path, out: Path, log: TextIO) -> int:
    engine = build_engine(config)
    watchlist, report = enrol_watchlist(engine, folder, progress=log.isatty())
    _report_enrolment(report, watchlist, log)
    out.parent.mkdir(parents=True, exist_ok=True)
    watchlist.save(out)
    log.write(f"lfr: wrote {out} (digest {watchlist.digest()[:16]})\n")
    return 0


def show_watchlist(path: Path, out: TextIO) -> int:
    watchlist = Watchlist.load(path)
    contract = watchlist.contract
    out.write(
        f"{path}: {len(watchlist.subjects)} subjects, {watchlist.size} templates\n"
        f"model {contract.model_id} (weights sha256 {contract.weights_sha256[:16]}...,"
        f" {contract.dimension}-d, {contract.metric})\n"
    )
    for subject in watchlist.subjects:
        out.write(f"  {subject.reference}\t{subject.display_name}\t{subject.category}\n")
    return 0


DEMO_SUBJECT = Subject(
    reference="DEMO-0001",
    display_name="Eileen Collins (demo)",
    category="demo",
    reason="Demonstration only: NASA public-domain portrait shipped with scikit-image",
    image_source="skimage.data.astronaut() (NASA, public domain)",
)


def run_demo(
    config: EngineConfig, sink: AlertSink, log: TextIO, stop: StopRequest | None = None
) -> RunSummary:
    from lfr.ingest.synthetic import demo_clip_source, demo_watchlist_image

    engine = build_engine(config)
    enroller = Enroller(engine.detector, engine.aligner, engine.embedder, engine.config)
    try:
        template = enroller.enrol_array(demo_watchlist_image(), DEMO_SUBJECT, "astronaut.png")
    except EnrolmentError as exc:
        raise WatchlistError(f"demo enrolment failed: {exc}") from None
    watchlist = Watchlist.from_templates(engine.embedder.contract, [template])
    log.write(
        "lfr demo: watchlist = 1 subject (NASA portrait of Eileen Collins, public domain, from"
        " scikit-image); camera = a clip generated in memory from the same portrait.\n"
    )
    with stop_on_signals(stop) as request:
        return run_source(
            engine, demo_clip_source(), watchlist, sink.publish, should_stop=request.is_set
        )
