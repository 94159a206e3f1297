"""Greedy IoU tracker: links detections of the same face across consecutive frames.

At 25-30 fps a walking face moves a fraction of its width between frames, so box overlap is
enough to link it; a track survives a few frames without detection (a missed detection, a
brief occlusion) before it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from lfr.config import TrackerConfig
from lfr.domain import Box, Detection


@dataclass(frozen=True, slots=True)
class TrackedFace:
    track_id: int
    detection: Detection


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    faces: list[TrackedFace]
    started: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Track:
    track_id: int
    box: Box
    missed: int = 0


def iou_matrix(first: list[Box], second: list[Box]) -> npt.NDArray[np.float64]:
    """``Box.iou`` of every pair (rows: ``first``), with the same arithmetic."""
    a = np.array([(b.left, b.top, b.right, b.bottom) for b in first], np.float64).reshape(-1, 4)
    b = np.array([(b.left, b.top, b.right, b.bottom) for b in second], np.float64).reshape(-1, 4)
    left = np.maximum(a[:, None, 0], b[None, :, 0])
    top = np.maximum(a[:, None, 1], b[None, :, 1])
    right = np.minimum(a[:, None, 2], b[None, :, 2])
    bottom = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.maximum(0.0, right - left) * np.maximum(0.0, bottom - top)
    union = _area(a)[:, None] + _area(b)[None, :] - inter
    ious: npt.NDArray[np.float64] = np.divide(
        inter, union, out=np.zeros_like(inter), where=union > 0
    )
    return ious


def _area(boxes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.maximum(0.0, boxes[:, 2] - boxes[:, 0]) * np.maximum(0.0, boxes[:, 3] - boxes[:, 1])


class IouTracker:
    def __init__(self, config: TrackerConfig) -> None:
        self._config = config
        self._tracks: dict[int, _Track] = {}
        self._next_id = 1

    @property
    def tracks_started(self) -> int:
        return self._next_id - 1

    @property
    def active(self) -> int:
        return len(self._tracks)

    def update(self, detections: list[Detection]) -> TrackUpdate:
        pairs = self._associate(detections)
        faces: list[TrackedFace] = []
        started: list[int] = []
        matched_tracks = set()
        for det_index, detection in enumerate(detections):
            track_id = pairs.get(det_index)
            if track_id is None:
                track_id = self._start(detection.box)
                started.append(track_id)
            else:
                track = self._tracks[track_id]
                track.box, track.missed = detection.box, 0
            matched_tracks.add(track_id)
            faces.append(TrackedFace(track_id, detection))
        ended = self._age(matched_tracks)
        return TrackUpdate(faces=faces, started=started, ended=ended)

    def end_all(self) -> list[int]:
        ended = list(self._tracks)
        self._tracks.clear()
        return ended

    def _associate(self, detections: list[Detection]) -> dict[int, int]:
        """Greedy by descending IoU (ties: the later detection, then the later track, first):
        detection index -> track id. Every pair's IoU at once: a crowd has hundreds a frame."""
        if not detections or not self._tracks:
            return {}
        track_ids = np.array(list(self._tracks))
        ious = iou_matrix([d.box for d in detections], [t.box for t in self._tracks.values()])
        rows, cols = np.nonzero(ious >= self._config.min_iou)
        ranked = np.lexsort((-track_ids[cols], -rows, -ious[rows, cols]))
        pairs: dict[int, int] = {}
        used_tracks: set[int] = set()
        ordered = zip(rows[ranked].tolist(), track_ids[cols[ranked]].tolist(), strict=True)
        for det_index, track_id in ordered:
            if det_index in pairs or track_id in used_tracks:
                continue
            pairs[det_index] = track_id
            used_tracks.add(track_id)
        return pairs

    def _start(self, box: Box) -> int:
        track_id = self._next_id
        self._next_id += 1
        self._tracks[track_id] = _Track(track_id, box)
        return track_id

    def _age(self, seen: set[int]) -> list[int]:
        ended = []
        for track_id, track in list(self._tracks.items()):
            if track_id in seen:
                continue
            track.missed += 1
            if track.missed > self._config.max_missed_frames:
                del self._tracks[track_id]
                ended.append(track_id)
        return ended
