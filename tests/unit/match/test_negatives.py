"""The lookalike rule: a hit on S is suppressed when the probe is closer to one of S's
negatives than to S's nearest template; nobody else's hits are touched."""

from __future__ import annotations

import threading

import numpy as np

from lfr.domain import Match
from lfr.match.negatives import LookalikeNegatives, Negative, nearest_distance
from tests.unit.fakes import subject

ANA, BEN = subject("ana"), subject("ben")
LOOKALIKE = np.array([0.8, 0.3, 0.0, 0.0], np.float32)


def hit(who: object, probe: np.ndarray, template: list[float]) -> Match:
    distance = float(np.linalg.norm(probe - np.asarray(template, np.float32)))
    return Match(0, who, distance)  # type: ignore[arg-type]


def test_the_rejected_face_itself_is_suppressed_for_its_subject() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", LOOKALIKE)])
    assert negatives.suppresses(hit(ANA, LOOKALIKE, [1.0, 0.05, 0, 0]), LOOKALIKE)


def test_a_face_nearer_the_lookalike_than_the_subject_is_suppressed() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", LOOKALIKE)])
    probe = LOOKALIKE + np.array([0.05, -0.05, 0.02, 0.0], np.float32)
    assert negatives.suppresses(hit(ANA, probe, [1.0, 0.05, 0, 0]), probe)


def test_the_subject_herself_still_matches_despite_her_lookalike() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", LOOKALIKE)])
    ana = np.array([1.0, 0.0, 0.0, 0.0], np.float32)  # 0.05 from her photo, 0.36 from the negative
    assert not negatives.suppresses(hit(ANA, ana, [1.0, 0.05, 0, 0]), ana)


def test_a_negative_for_one_subject_never_suppresses_another() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", LOOKALIKE)])
    assert not negatives.suppresses(hit(BEN, LOOKALIKE, [0.8, 0.35, 0, 0]), LOOKALIKE)


def test_negatives_are_added_once_by_id_and_the_last_id_is_kept() -> None:
    negatives = LookalikeNegatives()
    assert (len(negatives), negatives.last_id) == (0, 0)
    assert negatives.add([Negative(3, "ana", LOOKALIKE), Negative(5, "ben", LOOKALIKE)]) == 2
    assert negatives.add([Negative(5, "ben", LOOKALIKE)]) == 0
    assert (len(negatives), negatives.last_id) == (2, 5)


def test_a_negative_added_from_another_thread_applies_to_the_next_probe() -> None:
    negatives = LookalikeNegatives()
    match = hit(ANA, LOOKALIKE, [1.0, 0.05, 0, 0])
    assert not negatives.suppresses(match, LOOKALIKE)
    adder = threading.Thread(target=negatives.add, args=([Negative(1, "ana", LOOKALIKE)],))
    adder.start()
    adder.join()
    assert negatives.suppresses(match, LOOKALIKE)


def test_nearest_distance_is_euclidean_to_the_nearest_row() -> None:
    rows = np.array([[0, 0, 0, 0], [3, 4, 0, 0]], np.float32)
    assert nearest_distance(rows, np.array([3, 4, 0, 1], np.float32)) == 1.0


def test_a_tie_goes_to_the_operators_rejection() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", LOOKALIKE)])
    assert negatives.suppresses(Match(0, ANA, 0.0), LOOKALIKE)  # as near the photo as the reject
