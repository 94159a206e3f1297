"""Pick the best shot of each track per window of frames, so only a few shots are embedded.

A descriptor costs ~80 ms while detection costs ~20 ms, so embedding every face in every frame
wastes most of the time; the best (biggest, sharpest, most frontal) shot of a short window
carries nearly all the identity information of that window.
"""

from __future__ import annotations

from dataclasses import dataclass

from lfr.config import EmbedScheduleConfig
from lfr.domain import AlignedFace, Box, Image, Quality


@dataclass(frozen=True, slots=True)
class Shot:
    """One quality-passing view of a tracked face. Lives only in memory."""

    track_id: int
    frame: int
    time_s: float
    captured_at: float
    box: Box
    face: AlignedFace
    quality: Quality
    image: Image
    """The whole frame: the probe crop is cut from it only if the shot raises an alert (most
    shots are beaten in their window or match nobody, and a crop costs about 1 ms)."""


@dataclass(slots=True)
class _Window:
    opened_at_frame: int
    best: Shot | None = None
    embedded: int = 0
    closed: bool = False


class BestShotSelector:
    def __init__(self, config: EmbedScheduleConfig) -> None:
        self._config = config
        self._windows: dict[int, _Window] = {}

    def wants(self, track_id: int) -> bool:
        """False once a track has had its embeddings or was closed (e.g. it alerted)."""
        window = self._windows.get(track_id)
        return window is None or not window.closed

    def offer(self, shot: Shot) -> Shot | None:
        """Keep the shot if it is the window's best; return the best when the window is full."""
        window = self._windows.setdefault(shot.track_id, _Window(opened_at_frame=shot.frame))
        if window.closed:
            return None
        if window.best is None or shot.quality.score > window.best.quality.score:
            window.best = shot
        if shot.frame - window.opened_at_frame + 1 < self._config.window_frames:
            return None
        return self._take(window, next_frame=shot.frame + 1)

    def flush(self, track_id: int) -> Shot | None:
        """A track has ended: its pending best shot, if any, and forget the track."""
        window = self._windows.pop(track_id, None)
        if window is None or window.closed or window.best is None:
            return None
        return window.best

    def close(self, track_id: int) -> None:
        window = self._windows.get(track_id)
        if window is not None:
            window.closed, window.best = True, None

    def _take(self, window: _Window, next_frame: int) -> Shot | None:
        best, window.best = window.best, None
        window.opened_at_frame = next_frame
        window.embedded += 1
        if window.embedded >= self._config.max_per_track:
            window.closed = True
        return best
