"""Video-level evaluation: true alerts, false alerts and missed people per threshold and rule.

Every setting (threshold, k of n) is a full run of the live pipeline on the clip
(``lfr.pipeline.engine.run_source`` with ``VideoFileSource``: scaled detector, tracker,
quality gate, best-shot schedule, embedder, watchlist search, evidence rule, cool-down).
Detections and descriptors do not depend on the threshold or the rule, so they are memoised
by image content across the runs (``_MemoDetector``, ``_MemoEmbedder``): the first run
computes them, later runs reuse them, and each run still makes every decision itself.

Ground truth (CSV ``subject,start_s,end_s[,note]``, ``#`` lines are comments, or a JSON list
of objects with those keys): when each person is on screen. A subject that is not on the
watchlist is a passer-by who must not raise an alert. An alert is true when its subject is
on screen at the alert's time (within ``tolerance_s``); every other alert is false. A
watchlisted person with no true alert is missed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from lfr.config import EngineConfig
from lfr.detect.base import FaceDetector
from lfr.domain import Alert, AlignedFace, Detection, Image
from lfr.embed.base import Embedder
from lfr.evaluate.dataset import EvaluationInputError, read_csv
from lfr.evaluate.defaults import DEFAULT_RULES, TOLERANCE_S
from lfr.ingest.video_file import VideoFileSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source


@dataclass(frozen=True, slots=True)
class Appearance:
    subject: str
    start_s: float
    end_s: float
    note: str = ""


def read_truth(path: Path) -> list[Appearance]:
    if path.suffix.lower() == ".json":
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EvaluationInputError(f"cannot read {path}: {exc}") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise EvaluationInputError(f"{path}: expected a list of {{subject, start_s, end_s}}")
    else:
        rows = read_csv(path, ("subject", "start_s", "end_s"))
    truth = []
    for number, row in enumerate(rows, start=1):
        try:
            start, end = float(row["start_s"]), float(row["end_s"])
            subject = str(row["subject"]).strip()
        except (KeyError, TypeError, ValueError):
            raise EvaluationInputError(
                f"{path}: entry {number}: needs subject, start_s and end_s (seconds)"
            ) from None
        if not subject or not 0.0 <= start <= end:
            raise EvaluationInputError(f"{path}: entry {number}: bad subject or time span")
        truth.append(Appearance(subject, start, end, str(row.get("note", "") or "")))
    if not truth:
        raise EvaluationInputError(f"{path}: no appearances")
    return truth


def _digest(array: npt.NDArray[np.generic]) -> bytes:
    h = hashlib.blake2b(array.tobytes(), digest_size=16)
    h.update(str((array.shape, array.dtype.str)).encode())
    return h.digest()


class _MemoDetector:
    """The engine's detector, remembering its answer for each image it has seen."""

    def __init__(self, inner: FaceDetector) -> None:
        self.name = inner.name
        self._inner = inner
        self._seen: dict[tuple[bytes, int], list[Detection]] = {}

    def detect(self, image: Image, upsample: int = 0) -> list[Detection]:
        key = (_digest(image), upsample)
        if key not in self._seen:
            self._seen[key] = self._inner.detect(image, upsample)
        return list(self._seen[key])


class _MemoEmbedder:
    """The engine's embedder, remembering the descriptor of each face chip it has seen."""

    def __init__(self, inner: Embedder) -> None:
        self.contract = inner.contract
        self._inner = inner
        self._seen: dict[bytes, npt.NDArray[np.float32]] = {}
        self.computed = 0

    def embed(self, faces: list[AlignedFace]) -> npt.NDArray[np.float32]:
        keys = [_digest(f.chip) for f in faces]
        todo = {k: f for k, f in zip(keys, faces, strict=True) if k not in self._seen}
        if todo:
            vectors = self._inner.embed(list(todo.values()))
            self.computed += len(todo)
            self._seen.update(zip(todo, vectors, strict=True))
        if not faces:
            return np.zeros((0, self.contract.dimension), np.float32)
        return np.stack([self._seen[k] for k in keys]).astype(np.float32)


@dataclass(frozen=True, slots=True)
class VideoAlert:
    subject: str
    time_s: float
    frame: int
    track: int
    distance: float


@dataclass(frozen=True, slots=True)
class VideoOutcome:
    threshold: float
    hits_needed: int
    window: int
    alerts: list[VideoAlert]
    true_alerts: int
    false_alerts: int
    people: list[str]
    """Watchlisted people on screen."""
    found: list[str]
    missed: list[str]
    appearances: int
    appearances_alerted: int

    def to_json(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "rule": f"{self.hits_needed} of {self.window}",
            "true_alerts": self.true_alerts,
            "false_alerts": self.false_alerts,
            "people_on_watchlist_seen": len(self.people),
            "people_found": self.found,
            "people_missed": self.missed,
            "appearances_of_watchlisted_people": self.appearances,
            "appearances_with_a_true_alert": self.appearances_alerted,
            "alerts": [
                {
                    "subject": a.subject,
                    "time_s": round(a.time_s, 3),
                    "frame": a.frame,
                    "track": a.track,
                    "distance": round(a.distance, 4),
                }
                for a in self.alerts
            ],
        }


def score(
    alerts: list[VideoAlert],
    truth: list[Appearance],
    watchlisted: set[str],
    threshold: float,
    rule: tuple[int, int],
    tolerance_s: float = TOLERANCE_S,
) -> VideoOutcome:
    def on_screen(alert: VideoAlert, a: Appearance) -> bool:
        return a.subject == alert.subject and (
            a.start_s - tolerance_s <= alert.time_s <= a.end_s + tolerance_s
        )

    true = [a for a in alerts if any(on_screen(a, t) for t in truth)]
    wanted = [t for t in truth if t.subject in watchlisted]
    people = sorted({t.subject for t in wanted})
    found = sorted({a.subject for a in true})
    alerted = [t for t in wanted if any(on_screen(a, t) for a in true)]
    return VideoOutcome(
        threshold,
        rule[0],
        rule[1],
        alerts,
        len(true),
        len(alerts) - len(true),
        people,
        found,
        [p for p in people if p not in found],
        len(wanted),
        len(alerted),
    )


@dataclass(frozen=True, slots=True)
class VideoEvaluation:
    clip: str
    frames: int
    tracks: int
    descriptors: int
    """Distinct face chips embedded over all runs."""
    cooldown_s: float
    tolerance_s: float
    truth: list[Appearance]
    watchlist_size: int
    outcomes: list[VideoOutcome]

    def to_json(self) -> dict[str, object]:
        return {
            "clip": self.clip,
            "frames": self.frames,
            "tracks": self.tracks,
            "descriptors": self.descriptors,
            "cooldown_s": self.cooldown_s,
            "tolerance_s": self.tolerance_s,
            "watchlist_templates": self.watchlist_size,
            "truth": [
                {"subject": a.subject, "start_s": a.start_s, "end_s": a.end_s, "note": a.note}
                for a in self.truth
            ],
            "results": [o.to_json() for o in self.outcomes],
        }


def evaluate_video(
    engine: Engine,
    clip: Path,
    truth: list[Appearance],
    watchlist: Watchlist,
    thresholds: Sequence[float],
    rules: Sequence[tuple[int, int]] = DEFAULT_RULES,
    tolerance_s: float = TOLERANCE_S,
) -> VideoEvaluation:
    detector = _MemoDetector(engine.detector)
    embedder = _MemoEmbedder(engine.embedder)
    watchlisted = {s.reference for s in watchlist.subjects}
    outcomes = []
    frames = tracks = 0
    for threshold in thresholds:
        for k, n in rules:
            config = with_rule(engine.config, threshold, k, n)
            run = dataclasses.replace(engine, config=config, detector=detector, embedder=embedder)
            raised: list[Alert] = []
            source = VideoFileSource(clip, camera="evaluation")
            summary = run_source(run, source, watchlist, raised.append)
            frames, tracks = summary.frames, summary.tracks
            alerts = [
                VideoAlert(a.subject.reference, a.time_s, a.frame, a.track, a.distance)
                for a in raised
            ]
            outcomes.append(score(alerts, truth, watchlisted, threshold, (k, n), tolerance_s))
    return VideoEvaluation(
        clip=clip.name,
        frames=frames,
        tracks=tracks,
        descriptors=embedder.computed,
        cooldown_s=engine.config.alert.cooldown_s,
        tolerance_s=tolerance_s,
        truth=truth,
        watchlist_size=watchlist.size,
        outcomes=outcomes,
    )


def with_rule(config: EngineConfig, threshold: float, k: int, n: int) -> EngineConfig:
    alert = {**config.alert.model_dump(), "threshold": threshold, "hits_needed": k, "window": n}
    return EngineConfig.model_validate({**config.model_dump(), "alert": alert})
