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
    """The last n search results of one track; only hits under the threshold count."""

    def __init__(self, rule: AlertRuleConfig) -> None:
        self._rule = rule
        self._recent: deque[Match | None] = deque(maxlen=rule.window)

    def add(self, match: Match | None) -> Evidence | None:
        """Record one search result; evidence when this hit makes k of the last n agree."""
        hit = match if match is not None and match.distance <= self._rule.threshold else None
        self._recent.append(hit)
        if hit is None:
            return None
        count = Counter(m.subject.reference for m in self._recent if m is not None)[
            hit.subject.reference
        ]
        if count < self._rule.hits_needed:
            return None
        return Evidence(match=hit, hits=count, looked_at=len(self._recent))


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
