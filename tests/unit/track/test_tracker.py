from lfr.config import TrackerConfig
from lfr.domain import Box, Detection
from lfr.track.tracker import IouTracker


def det(x: float, y: float = 50, size: float = 80) -> Detection:
    return Detection(Box(x, y, x + size, y + size), 1.0)


def test_a_moving_face_keeps_its_track() -> None:
    tracker = IouTracker(TrackerConfig())
    ids = {tracker.update([det(100 + 5 * i)]).faces[0].track_id for i in range(20)}
    assert ids == {1}
    assert tracker.tracks_started == 1


def test_two_faces_get_two_tracks_and_keep_them_when_listed_in_any_order() -> None:
    tracker = IouTracker(TrackerConfig())
    first = tracker.update([det(100), det(400)])
    second = tracker.update([det(404), det(103)])
    assert [f.track_id for f in first.faces] == [1, 2]
    assert [f.track_id for f in second.faces] == [2, 1]


def test_a_jump_starts_a_new_track() -> None:
    tracker = IouTracker(TrackerConfig(min_iou=0.3))
    tracker.update([det(100)])
    update = tracker.update([det(300)])
    assert update.started == [2]


def test_track_survives_missed_frames_then_ends() -> None:
    tracker = IouTracker(TrackerConfig(max_missed_frames=2))
    tracker.update([det(100)])
    assert tracker.update([]).ended == []
    assert tracker.update([]).ended == []
    assert tracker.update([]).ended == [1]
    assert tracker.active == 0


def test_face_returning_within_grace_keeps_its_id() -> None:
    tracker = IouTracker(TrackerConfig(max_missed_frames=3))
    tracker.update([det(100)])
    tracker.update([])
    assert tracker.update([det(102)]).faces[0].track_id == 1


def test_end_all_reports_open_tracks() -> None:
    tracker = IouTracker(TrackerConfig())
    tracker.update([det(100), det(400)])
    assert sorted(tracker.end_all()) == [1, 2]
    assert tracker.active == 0
