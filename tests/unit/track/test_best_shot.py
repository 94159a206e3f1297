import numpy as np

from lfr.config import EmbedScheduleConfig
from lfr.domain import AlignedFace, Box, Quality
from lfr.track.best_shot import BestShotSelector, Shot


def shot(frame: int, px: float, track: int = 1) -> Shot:
    quality = Quality(face_px=px, sharpness=100.0, yaw=0.0, roll_deg=0.0, passed=True)
    face = AlignedFace(np.zeros((2, 2, 3), np.uint8), np.zeros((5, 2), np.float32))
    return Shot(
        track,
        frame,
        frame / 25,
        0.0,
        Box(0, 0, px, px),
        face,
        quality,
        np.zeros((2, 2, 3), np.uint8),
    )


def test_emits_the_best_shot_of_each_window() -> None:
    selector = BestShotSelector(EmbedScheduleConfig(window_frames=3, max_per_track=5))
    assert selector.offer(shot(0, 60)) is None
    assert selector.offer(shot(1, 90)) is None
    best = selector.offer(shot(2, 70))
    assert best is not None and best.frame == 1
    assert selector.offer(shot(3, 80)) is None  # a new window has opened


def test_stops_after_max_embeddings_per_track() -> None:
    selector = BestShotSelector(EmbedScheduleConfig(window_frames=1, max_per_track=2))
    emitted = [selector.offer(shot(i, 80)) for i in range(5)]
    assert sum(s is not None for s in emitted) == 2
    assert not selector.wants(1)


def test_closed_track_is_not_embedded_again_and_flush_is_empty() -> None:
    selector = BestShotSelector(EmbedScheduleConfig(window_frames=3, max_per_track=5))
    selector.offer(shot(0, 80))
    selector.close(1)
    assert not selector.wants(1)
    assert selector.offer(shot(1, 80)) is None
    assert selector.flush(1) is None


def test_flush_returns_pending_shot_of_ended_track_and_forgets_it() -> None:
    selector = BestShotSelector(EmbedScheduleConfig(window_frames=10, max_per_track=5))
    selector.offer(shot(0, 80))
    pending = selector.flush(1)
    assert pending is not None and pending.frame == 0
    assert selector.flush(1) is None
    assert selector.wants(1)


def test_tracks_are_independent() -> None:
    selector = BestShotSelector(EmbedScheduleConfig(window_frames=2, max_per_track=5))
    selector.offer(shot(0, 80, track=1))
    assert selector.offer(shot(0, 80, track=2)) is None
    assert selector.offer(shot(1, 80, track=1)) is not None
