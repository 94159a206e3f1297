"""Lookalike negatives: faces an operator rejected as "not this person" for one subject.

The rule: a probe is suppressed for subject S when it is at least as close to one of S's
negatives as to S's nearest template (the hit's distance; a tie goes to the operator's
judgement of that face). It is a nearest-neighbour decision between "S" and
"the faces already mistaken for S": the rejected face itself (distance about 0) and faces more
like it than like S stay quiet, while S himself, closer to his own photos than to his
lookalike, still alerts. A fixed radius around the negative was not chosen: it would need
calibrating per model, and one too wide would silence S himself. Negatives are per subject, so
a probe's hits on anyone else are untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from lfr.domain import Match, Vector
from lfr.match.index import Floats


@dataclass(frozen=True, slots=True)
class Negative:
    id: int
    """The store's id: a runtime asks only for ids after the last one it holds."""
    subject_reference: str
    descriptor: Vector


class LookalikeNegatives:
    """The negatives of one live deployment, shared by its camera threads and grown while they
    run. Readers use a mapping that is replaced whole under the lock, never changed in place, so
    a camera never waits for a writer nor sees a half-added negative."""

    def __init__(self, negatives: Iterable[Negative] = ()) -> None:
        self._lock = threading.Lock()
        self._ids: set[int] = set()
        self._by_subject: Mapping[str, Floats] = MappingProxyType({})
        self.add(negatives)

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def last_id(self) -> int:
        return max(self._ids, default=0)

    def add(self, negatives: Iterable[Negative]) -> int:
        """Add the negatives not held yet (by id); returns how many were new."""
        with self._lock:
            fresh = [n for n in negatives if n.id not in self._ids]
            if not fresh:
                return 0
            grown = dict(self._by_subject)
            for negative in fresh:
                row = np.asarray(negative.descriptor, dtype=np.float32)[None, :]
                held = grown.get(negative.subject_reference)
                grown[negative.subject_reference] = row if held is None else np.vstack([held, row])
                self._ids.add(negative.id)
            self._by_subject = MappingProxyType(grown)
            return len(fresh)

    def suppresses(self, match: Match, probe: Vector) -> bool:
        """Whether ``probe``'s hit on ``match.subject`` is a known lookalike (see the module)."""
        negatives = self._by_subject.get(match.subject.reference)
        if negatives is None:
            return False
        return nearest_distance(negatives, probe) <= match.distance


def nearest_distance(vectors: Floats, probe: Vector) -> float:
    """Euclidean distance from ``probe`` to the nearest row of ``vectors`` (the index's metric)."""
    differences = vectors - np.asarray(probe, dtype=np.float32)[None, :]
    return float(np.sqrt(np.einsum("ij,ij->i", differences, differences).min()))
