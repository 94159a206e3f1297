"""How many faces a frame may align: a bound on the per-frame work, shared fairly among tracks.

Aligning a face (dlib's landmarks and chip) takes ~4 ms and holds the GIL. Tracks want a shot
on every frame of their first windows, so when a crowd comes into view together, twenty new
tracks would want 80 ms of aligning a frame: the camera falls behind and its source drops
frames, which hurts every track. With a budget, the tracks aligned longest ago go first and
the others wait a frame or two; once the crowd's tracks have their shots the budget is idle,
and a frame with no more wanting faces than the budget is untouched by it.
"""

from __future__ import annotations


class AlignBudget:
    def __init__(self, per_frame: int) -> None:
        """``per_frame``: most faces aligned a frame (0: no limit)."""
        if per_frame < 0:
            raise ValueError("per_frame must be 0 (no limit) or more")
        self._per_frame = per_frame
        self._last: dict[int, int] = {}
        """Track id -> the frame it was last aligned on."""

    def choose(self, wanting: list[int], frame: int) -> set[int]:
        """The tracks of ``wanting`` (each wants a shot on ``frame``) to align now."""
        chosen = wanting
        if self._per_frame and len(wanting) > self._per_frame:
            waited = sorted(wanting, key=lambda track: (self._last.get(track, -1), track))
            chosen = waited[: self._per_frame]
        for track in chosen:
            self._last[track] = frame
        return set(chosen)

    def forget(self, track: int) -> None:
        """The track has ended."""
        self._last.pop(track, None)
