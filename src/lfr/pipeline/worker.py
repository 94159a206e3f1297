"""The per-camera worker: track -> quality gate -> best shot -> embed -> search -> decide.

Detection happens outside (see ``runner``) so it can overlap with this work on another core.
Privacy by construction: a face's chip and descriptor, and the frame it was seen in, exist
only inside the ``Shot`` and local variables of one call (a crop is cut, and the descriptor
kept, only for an alert); per-track state holds them until the track ends and is then
dropped. Nothing here logs, stores or returns anything about a face that did not alert - only
counters leave.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from lfr.alert.rules import Cooldown, Evidence, TrackEvidence
from lfr.config import EngineConfig
from lfr.domain import (
    Alert,
    AlignedFace,
    Detection,
    Frame,
    Match,
    Vector,
    similarity_from_distance,
)
from lfr.embed.base import Aligner, AsyncEmbedder, Embedder
from lfr.embed.quality import assess, too_small
from lfr.errors import WatchlistError
from lfr.imaging import crop_around, decode_jpeg
from lfr.match.index import Floats
from lfr.match.negatives import LookalikeNegatives
from lfr.match.watchlist import Watchlist, require_same_contract
from lfr.track.align_budget import AlignBudget
from lfr.track.best_shot import BestShotSelector, Shot
from lfr.track.tracker import IouTracker, TrackedFace


@dataclass(slots=True)
class StageTimes:
    """Seconds spent per stage, summed over the run."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def per_frame_ms(self, frames: int) -> dict[str, float]:
        return {k: 1000.0 * v / max(frames, 1) for k, v in self.seconds.items()}


@dataclass(slots=True)
class WorkerCounts:
    frames: int = 0
    face_detections: int = 0
    shots_rejected: int = 0
    frames_carried: int = 0
    embeddings: int = 0
    alerts: int = 0
    lookalikes_suppressed: int = 0


class CameraWorker:
    def __init__(
        self,
        camera: str,
        aligner: Aligner,
        embedder: Embedder,
        watchlist: Watchlist,
        config: EngineConfig,
        clock: Callable[[], float] = time.monotonic,
        negatives: LookalikeNegatives | None = None,
    ) -> None:
        """``negatives``: the deployment's rejected lookalikes, shared and grown while this
        runs (``lfr.match.negatives``); none by default."""
        require_same_contract(embedder.contract, watchlist.contract, "watchlist")
        if watchlist.size == 0:
            raise WatchlistError("the watchlist is empty: nothing to search for")
        self.camera = camera
        self._aligner = aligner
        self._embedder = embedder
        self._watchlist = watchlist
        self._config = config
        self._clock = clock
        self._negatives = negatives if negatives is not None else LookalikeNegatives()
        self._tracker = IouTracker(config.tracker)
        self._shots = BestShotSelector(config.embedding)
        self._budget = AlignBudget(config.embedding.max_aligned_per_frame)
        self._evidence: dict[int, TrackEvidence] = {}
        self._pending: deque[tuple[list[Shot], Future[Floats]]] = deque()
        self._ended: set[int] = set()
        self._alerted: set[int] = set()
        self._cooldown = Cooldown(config.alert.cooldown_s)
        self.counts = WorkerCounts()
        self.times = StageTimes()

    @property
    def tracks(self) -> int:
        return self._tracker.tracks_started

    def process(self, frame: Frame, detections: list[Detection]) -> list[Alert]:
        self.counts.frames += 1
        self.counts.face_detections += len(detections)
        update = self._tracker.update(detections)
        wanting = [face for face in update.faces if self._wants_shot(face)]
        chosen = self._budget.choose([face.track_id for face in wanting], frame.index)
        for track_id in update.ended:
            self._budget.forget(track_id)
        shots = (
            self._offer(frame, f.track_id, f.detection) for f in wanting if f.track_id in chosen
        )
        return self._decide([s for s in shots if s is not None], update.ended)

    def carry(self, frame: Frame) -> list[Alert]:
        """A frame not searched for faces (the camera was behind): tracks neither move nor
        age, and embeddings that came back meanwhile are acted on."""
        self.counts.frames += 1
        self.counts.frames_carried += 1
        return self._decide([], [])

    def finish(self) -> list[Alert]:
        """End of the source: give every open track its last pending shot, wait for every
        embedding still being computed, then forget all tracks."""
        ended = self._tracker.end_all()
        for track_id in ended:
            self._budget.forget(track_id)
        return self._decide([], ended, wait=True)

    def _wants_shot(self, face: TrackedFace) -> bool:
        """Whether the face's track can still use a shot, told from its box alone: the track's
        best-shot window is open, and the face is big enough for the quality gate."""
        if not self._shots.wants(face.track_id):
            return False
        if too_small(face.detection.box, self._config.quality):
            self.counts.shots_rejected += 1
            return False
        return True

    def _offer(self, frame: Frame, track_id: int, detection: Detection) -> Shot | None:
        started = time.perf_counter()
        face = self._aligner.align(frame.image, detection.box)
        quality = assess(face, detection.box, self._config.quality)
        self.times.add("align+quality", time.perf_counter() - started)
        if not quality.passed:
            self.counts.shots_rejected += 1
            return None
        shot = Shot(
            track_id=track_id,
            frame=frame.index,
            time_s=frame.time_s,
            captured_at=frame.captured_at,
            box=detection.box,
            face=face,
            quality=quality,
            image=frame.image,
        )
        return self._shots.offer(shot)

    def _decide(self, shots: list[Shot], ended: list[int], wait: bool = False) -> list[Alert]:
        """Submit the ready shots for embedding, then act on every embedding that is back.

        With an asynchronous embedder (``submit``) this never waits for a descriptor, so the
        camera keeps taking frames while one is computed elsewhere; ``wait`` drains all."""
        shots = shots + [s for s in (self._shots.flush(t) for t in ended) if s is not None]
        if shots:
            self._pending.append((shots, self._submit([s.face for s in shots])))
            self.counts.embeddings += len(shots)
        self._ended.update(ended)
        alerts = []
        while self._pending and (wait or self._pending[0][1].done()):
            done, future = self._pending.popleft()
            started = time.perf_counter()
            vectors = future.result()
            self.times.add("embed", time.perf_counter() - started)
            alerts += self._match(done, vectors)
        if not self._pending:  # no result can still arrive for an ended track: forget it
            for track_id in self._ended:
                self._forget(track_id)
            self._ended.clear()
        return alerts

    def _forget(self, track_id: int) -> None:
        """Drop an ended track; count it if only a lookalike negative kept it from alerting."""
        evidence = self._evidence.pop(track_id, None)
        if evidence is not None and evidence.held_back and track_id not in self._alerted:
            self.counts.lookalikes_suppressed += 1
        self._alerted.discard(track_id)

    def _submit(self, faces: list[AlignedFace]) -> Future[Floats]:
        if isinstance(self._embedder, AsyncEmbedder):
            return self._embedder.submit(faces)
        # Computed here, so timed here: the wait in ``_decide`` is then nothing.
        started = time.perf_counter()
        future: Future[Floats] = Future()
        future.set_result(self._embedder.embed(faces))
        self.times.add("embed", time.perf_counter() - started)
        return future

    def _match(self, shots: list[Shot], vectors: Floats) -> list[Alert]:
        started = time.perf_counter()
        matches = self._watchlist.nearest(vectors)
        self.times.add("search", time.perf_counter() - started)
        alerts = []
        for shot, match, vector in zip(shots, matches, vectors, strict=True):
            if shot.track_id in self._alerted:
                continue  # late results of a track that has already alerted
            evidence = self._evidence.setdefault(shot.track_id, TrackEvidence(self._config.alert))
            found = evidence.add(*self._past_lookalikes(match, vector))
            if found is not None:
                self._shots.close(shot.track_id)
                self._alerted.add(shot.track_id)
                alert = self._raise(shot, found, vector)
                if alert is not None:
                    alerts.append(alert)
        return alerts

    def _past_lookalikes(self, match: Match, probe: Vector) -> tuple[Match | None, Match | None]:
        """The hit to count, and the nearer hit set aside as a known lookalike (or None).

        A probe suppressed for its nearest subject is searched again without that subject, so
        a rejection for one person never hides a match with anyone else."""
        threshold = self._config.alert.threshold
        if match.distance > threshold or not self._negatives.suppresses(match, probe):
            return match, None
        excluded = {match.subject.reference}
        while True:
            other = self._watchlist.nearest_apart_from(probe, excluded)
            if (
                other is None
                or other.distance > threshold
                or not self._negatives.suppresses(other, probe)
            ):
                return other, match
            excluded.add(other.subject.reference)

    def _raise(self, shot: Shot, evidence: Evidence, descriptor: Vector) -> Alert | None:
        match = evidence.match
        if not self._cooldown.allow(match.subject.reference, shot.time_s):
            return None
        template = self._watchlist.template(match.template_index)
        now = self._clock()
        self.counts.alerts += 1
        return Alert(
            id=str(uuid.uuid4()),
            subject=match.subject,
            distance=match.distance,
            score=similarity_from_distance(match.distance),
            threshold=self._config.alert.threshold,
            camera=self.camera,
            time_s=shot.time_s,
            frame=shot.frame,
            track=shot.track_id,
            probe_crop=crop_around(shot.image, shot.box),
            enrolled_crop=decode_jpeg(template.face_jpeg),
            enrolled_jpeg=template.face_jpeg,
            enrolled_image=template.image_name,
            raised_at=now,
            latency_s=max(0.0, now - shot.captured_at) if shot.captured_at else 0.0,
            probe_descriptor=descriptor.copy(),
        )
