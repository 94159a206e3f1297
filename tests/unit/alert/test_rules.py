import pytest

from lfr.alert.rules import Cooldown, TrackEvidence
from lfr.config import AlertRuleConfig
from lfr.domain import Match, Subject

ANA, BEN = Subject("ana", "Ana"), Subject("ben", "Ben")


def hit(subject: Subject, distance: float = 0.3) -> Match:
    return Match(0, subject, distance)


def test_one_hit_is_not_enough_for_two_of_three() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    assert evidence.add(hit(ANA)) is None


def test_two_hits_in_three_raise_evidence_with_the_completing_match() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    evidence.add(hit(ANA, 0.45))
    evidence.add(None)
    found = evidence.add(hit(ANA, 0.40))
    assert found is not None
    assert found.match.distance == 0.40
    assert (found.hits, found.looked_at) == (2, 3)


def test_hits_outside_the_window_are_forgotten() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    evidence.add(hit(ANA))
    for _ in range(3):
        assert evidence.add(None) is None
    assert evidence.add(hit(ANA)) is None


def test_hits_on_different_subjects_do_not_add_up() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    assert evidence.add(hit(ANA)) is None
    assert evidence.add(hit(BEN)) is None


def test_distance_above_threshold_is_a_miss_and_equal_is_a_hit() -> None:
    evidence = TrackEvidence(AlertRuleConfig(threshold=0.5, hits_needed=1, window=1))
    assert evidence.add(hit(ANA, 0.5001)) is None
    assert evidence.add(hit(ANA, 0.5)) is not None


def test_k_larger_than_n_is_refused() -> None:
    with pytest.raises(ValueError, match="hits_needed"):
        AlertRuleConfig(hits_needed=4, window=3)


def test_cooldown_is_per_subject_and_expires() -> None:
    cooldown = Cooldown(60.0)
    assert cooldown.allow("ana", 10.0)
    assert not cooldown.allow("ana", 69.9)
    assert cooldown.allow("ben", 20.0)
    assert cooldown.allow("ana", 70.0)


def test_suppressed_hits_do_not_count_as_evidence_and_mark_the_track_held_back() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    assert evidence.add(None, suppressed=hit(ANA)) is None
    assert not evidence.held_back
    assert evidence.add(None, suppressed=hit(ANA)) is None
    assert evidence.held_back  # two hits on Ana: she would have alerted without the negative
    assert evidence.add(hit(ANA)) is None  # one counted hit of three is not two


def test_counted_hits_still_make_evidence_beside_a_suppressed_one() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    evidence.add(None, suppressed=hit(ANA))
    evidence.add(hit(ANA, 0.2))
    found = evidence.add(hit(ANA, 0.1))
    assert found is not None and (found.hits, found.match.distance) == (2, 0.1)


def test_a_hit_on_another_subject_counts_when_the_nearest_was_a_lookalike() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=2, window=3))
    assert evidence.add(hit(BEN, 0.4), suppressed=hit(ANA, 0.3)) is None
    found = evidence.add(hit(BEN, 0.35), suppressed=hit(ANA, 0.3))
    assert found is not None and found.match.subject == BEN and evidence.held_back


def test_a_suppressed_miss_is_just_a_miss() -> None:
    evidence = TrackEvidence(AlertRuleConfig(hits_needed=1, window=1, threshold=0.5))
    assert evidence.add(None, suppressed=hit(ANA, 0.9)) is None
    assert not evidence.held_back
