from hypothesis import given, settings
from hypothesis import strategies as st

from lfr.config import TrackerConfig
from lfr.domain import Box, Detection
from lfr.track.tracker import IouTracker, iou_matrix


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


coordinate = st.integers(0, 60).map(float)


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    left, top = draw(coordinate), draw(coordinate)
    return Box(left, top, left + draw(st.integers(0, 40)), top + draw(st.integers(0, 40)))


@given(st.lists(boxes(), max_size=6), st.lists(boxes(), max_size=6))
def test_every_pairs_iou_at_once_is_box_iou(first: list[Box], second: list[Box]) -> None:
    matrix = iou_matrix(first, second)
    assert matrix.shape == (len(first), len(second))
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            assert matrix[i, j] == a.iou(b)  # the same arithmetic, to the bit


def greedy_one_pair_at_a_time(
    detections: list[Box], tracks: dict[int, Box], min_iou: float
) -> dict[int, int]:
    """The association as it was first written: every pair sorted, then taken greedily."""
    candidates = sorted(
        ((d.iou(t), i, tid) for i, d in enumerate(detections) for tid, t in tracks.items()),
        reverse=True,
    )
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for iou, i, tid in candidates:
        if iou < min_iou:
            break
        if i not in pairs and tid not in used:
            pairs[i] = tid
            used.add(tid)
    return pairs


@settings(max_examples=200)
@given(st.lists(boxes(), max_size=7), st.lists(st.lists(boxes(), max_size=7), max_size=3))
def test_association_is_the_greedy_one(first: list[Box], later: list[list[Box]]) -> None:
    tracker = IouTracker(TrackerConfig(min_iou=0.2, max_missed_frames=3))
    tracker.update([Detection(b, 1.0) for b in first])
    for frame in later:
        known = {tid: t.box for tid, t in tracker._tracks.items()}
        expected = greedy_one_pair_at_a_time(frame, known, 0.2)
        update = tracker.update([Detection(b, 1.0) for b in frame])
        continued = {i: f.track_id for i, f in enumerate(update.faces) if f.track_id in known}
        assert continued == expected
