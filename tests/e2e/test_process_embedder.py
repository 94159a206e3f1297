"""Descriptors computed in a worker process are the same, and the clip gives the same alert."""

from __future__ import annotations

import numpy as np

from lfr.app import build_engine
from lfr.config import EngineConfig
from lfr.domain import Alert
from lfr.embed.base import AsyncEmbedder
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source
from tests.e2e.conftest import CLIP, LIN


def test_separate_process_matches_inline_and_alerts_once(
    engine: Engine, watchlist: Watchlist
) -> None:
    separate = build_engine(
        EngineConfig.model_validate(
            {"embedder": {"backend": "dlib-resnet", "separate_process": True}}
        )
    )
    try:
        assert isinstance(separate.embedder, AsyncEmbedder)
        assert separate.embedder.contract == engine.embedder.contract
        frame = next(f for f in VideoFileSource(CLIP).frames() if f.index == 120)
        [detection] = engine.detector.detect(frame.image)
        face = engine.aligner.align(frame.image, detection.box)
        np.testing.assert_allclose(
            separate.embedder.embed([face]), engine.embedder.embed([face]), atol=1e-6
        )
        alerts: list[Alert] = []
        run_source(separate, VideoFileSource(CLIP), watchlist, alerts.append)
        assert [a.subject.reference for a in alerts] == [LIN]
    finally:
        separate.close()
