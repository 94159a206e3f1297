"""When does a track become an alert?

Two rules, both against false alerts:
- evidence: k of a track's last n embeddings must hit the *same* subject under the threshold
  (one odd frame - motion blur, a half-turned head - is not enough);
- cool-down: once a subject has alerted on a camera, further tracks of that subject stay quiet
  for ``cooldown_s`` seconds, so one passer-by yields one alert, not fifty.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass

from lfr.config import AlertRuleConfig
from lfr.domain import Match


@dataclass(frozen=True, slots=True)
class Evidence:
    """Enough hits on one subject; ``match`` is the hit that completed the evidence, so the
    alert's probe crop, distance and enrolled image all come from one comparison."""

    match: Match
    hits: int
    looked_at: int


class TrackEvidence:
    """The last n search results of one track; only hits under the threshold count. A hit
    suppressed as a known lookalike (``lfr.match.negatives``) is kept apart: it never counts,
    but it tells whether the track would have alerted without the negatives (``held_back``)."""

    def __init__(self, rule: AlertRuleConfig) -> None:
        self._rule = rule
        self._recent: deque[tuple[Match | None, Match | None]] = deque(maxlen=rule.window)
        self.held_back = False
        """Whether suppressed hits once completed evidence for a subject that its counted hits
        did not: the track would have alerted but for a lookalike negative."""

    def add(self, match: Match | None, suppressed: Match | None = None) -> Evidence | None:
        """Record one search result (and the nearer hit suppressed as a lookalike, if any);
        evidence when this hit makes k of the last n agree."""
        hit, lookalike = self._under_threshold(match), self._under_threshold(suppressed)
        self._recent.append((hit, lookalike))
        if lookalike is not None:
            self._note_held_back(lookalike.subject.reference)
        if hit is None:
            return None
        count = self._counted(hit.subject.reference)
        if count < self._rule.hits_needed:
            return None
        return Evidence(match=hit, hits=count, looked_at=len(self._recent))

    def _under_threshold(self, match: Match | None) -> Match | None:
        return match if match is not None and match.distance <= self._rule.threshold else None

    def _counted(self, reference: str) -> int:
        return Counter(h.subject.reference for h, _ in self._recent if h is not None)[reference]

    def _note_held_back(self, reference: str) -> None:
        held = Counter(s.subject.reference for _, s in self._recent if s is not None)[reference]
        counted = self._counted(reference)
        if counted < self._rule.hits_needed <= counted + held:
            self.held_back = True


class Cooldown:
    """Per-subject quiet period, measured in source time (frame ``time_s``)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._last: dict[str, float] = {}

    def allow(self, subject_reference: str, time_s: float) -> bool:
        last = self._last.get(subject_reference)
        if last is not None and time_s - last < self._seconds:
            return False
        self._last[subject_reference] = time_s
        return True
