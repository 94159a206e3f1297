"""Open-set 1:N identification searches (ISO/IEC 19795-1, NIST FRTE), from the embeddings.

Protocol, per rotation r = 0, 1, ... (default one rotation):

- **Watchlist**: for each identity, ONE enrolment photo: its (r mod k)-th acquired photo in
  sorted path order, k being how many acquired. An identity with no acquired photo fails to
  enrol and is not on the watchlist (reported).
- **Mated searches**: every other photo of each enrolled identity, searched against the whole
  watchlist. Photos that failed to acquire are searches too, and misses.
- **Non-mated searches**: every unknown/ photo against the whole watchlist; and, leave one
  identity out, every photo of each identity X against the watchlist without X. So every
  labelled photo is also a non-mated probe once per rotation, for a watchlist one smaller.
- **Comparisons** (for the per-comparison FMR that scales FPIR): every distance of an acquired
  non-mated probe to a watchlist entry of its search.

Every search is rank 1: the nearest entry, as the live system searches (one template per
identity here, so nearest entry = nearest identity). With more than one rotation the same
photos are searched again with other enrolment photos: the trials are not independent and the
pooled intervals are narrower than the data justify (the report says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lfr.evaluate.embeddings import Embedded, distance_matrix, vectors
from lfr.evaluate.metrics import Floats, Searches


@dataclass(frozen=True, slots=True)
class Search:
    rotation: int
    probe: str
    person: str
    mated: bool
    watchlist_size: int
    rank1_distance: float | None
    """None: the probe failed to acquire."""
    rank1_person: str | None

    @property
    def correct(self) -> bool:
        return self.rank1_person == self.person


@dataclass(slots=True)
class Identification:
    rotations: int
    searches: list[Search] = field(default_factory=list)
    comparisons: list[float] = field(default_factory=list)
    comparison_persons: list[str] = field(default_factory=list)
    """The non-mated probe's person of each comparison (for per-group FMR)."""
    enrolled: list[dict[str, str]] = field(default_factory=list)
    """Per rotation: identity -> enrolment photo."""
    failed_to_enrol: list[str] = field(default_factory=list)

    def outcomes(self, persons: set[str] | None = None) -> Searches:
        """Rank-1 outcomes (optionally only of probes of ``persons``) for the metrics."""
        chosen = [s for s in self.searches if persons is None or s.person in persons]
        mated = [(s.rank1_distance, s.correct) for s in chosen if s.mated]
        nonmated = [s.rank1_distance for s in chosen if not s.mated]
        comparisons = [
            d
            for d, p in zip(self.comparisons, self.comparison_persons, strict=True)
            if persons is None or p in persons
        ]
        return Searches.of(mated, nonmated, comparisons)

    def watchlist_sizes(self) -> tuple[int, int]:
        sizes = [s.watchlist_size for s in self.searches]
        return (min(sizes), max(sizes)) if sizes else (0, 0)


def run_searches(embedded: list[Embedded], rotations: int = 1) -> Identification:
    if rotations < 1:
        raise ValueError("rotations must be at least 1")
    matrix = distance_matrix(vectors(embedded), vectors(embedded))
    by_person: dict[str, list[int]] = {}
    for row in sorted(range(len(embedded)), key=lambda r: embedded[r].sample.relpath):
        if embedded[row].sample.enrollable:
            by_person.setdefault(embedded[row].sample.person, []).append(row)
    unknown_rows = [row for row, e in enumerate(embedded) if not e.sample.enrollable]
    result = Identification(rotations)
    result.failed_to_enrol = sorted(
        p for p, rows in by_person.items() if not any(embedded[r].acquired for r in rows)
    )
    for rotation in range(rotations):
        enrolled: dict[str, int] = {}
        for person, rows in sorted(by_person.items()):
            acquired = [r for r in rows if embedded[r].acquired]
            if acquired:
                enrolled[person] = acquired[rotation % len(acquired)]
        result.enrolled.append({p: embedded[r].sample.relpath for p, r in enrolled.items()})
        round_ = _Round(result, embedded, matrix, rotation, list(enrolled.items()))
        for person, rows in sorted(by_person.items()):
            for row in rows:
                if person in enrolled and row != enrolled[person]:
                    round_.search(row, mated=True, held_out=None)
        for row in unknown_rows:
            round_.search(row, mated=False, held_out=None)
        for person, rows in sorted(by_person.items()):
            for row in rows:
                round_.search(row, mated=False, held_out=person)
    return result


@dataclass(frozen=True, slots=True)
class _Round:
    result: Identification
    embedded: list[Embedded]
    matrix: Floats
    rotation: int
    entries: list[tuple[str, int]]
    """(identity, row of its enrolment photo) on this rotation's watchlist."""

    def search(self, row: int, mated: bool, held_out: str | None) -> None:
        watch = [(p, r) for p, r in self.entries if p != held_out]
        if not watch:
            return
        sample = self.embedded[row].sample
        if not self.embedded[row].acquired:
            self.result.searches.append(
                Search(self.rotation, sample.relpath, sample.person, mated, len(watch), None, None)
            )
            return
        distances = np.array([self.matrix[row, r] for _, r in watch], np.float64)
        nearest = int(np.argmin(distances))
        self.result.searches.append(
            Search(
                self.rotation,
                sample.relpath,
                sample.person,
                mated,
                len(watch),
                float(distances[nearest]),
                watch[nearest][0],
            )
        )
        if not mated:
            self.result.comparisons.extend(float(d) for d in distances)
            self.result.comparison_persons.extend([sample.person] * len(watch))
