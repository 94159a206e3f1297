import threading
import time
from concurrent.futures import Future

import numpy as np
import pytest

from lfr.config import EngineConfig
from lfr.domain import AlignedFace, Box, Template
from lfr.embed.base import AsyncEmbedder
from lfr.errors import ContractMismatchError, WatchlistError
from lfr.imaging import crop_around, encode_jpeg
from lfr.match.negatives import LookalikeNegatives, Negative
from lfr.match.watchlist import Watchlist
from lfr.pipeline.worker import CameraWorker
from tests.unit.fakes import (
    CONTRACT,
    FakeAligner,
    FakeEmbedder,
    detections,
    frame_with_faces,
    subject,
)

ANA_CODE, STRANGER_CODE = 10, 20
VECTORS = {ANA_CODE: [1.0, 0.0, 0.0, 0.0], STRANGER_CODE: [0.0, 1.0, 0.0, 0.0]}


def watchlist() -> Watchlist:
    face = encode_jpeg(np.zeros((8, 8, 3), np.uint8))
    ana = Template(
        subject("ana"), np.array([1.0, 0.05, 0, 0], np.float32), CONTRACT, "ana/1.jpg", face
    )
    return Watchlist.from_templates(CONTRACT, [ana])


def make_worker(**alert: float) -> tuple[CameraWorker, FakeEmbedder]:
    config = EngineConfig.model_validate(
        {
            "alert": {"threshold": 0.5, "hits_needed": 2, "window": 3, **alert},
            "embedding": {"window_frames": 2, "max_per_track": 6},
        }
    )
    embedder = FakeEmbedder(VECTORS)
    return CameraWorker("cam", FakeAligner(), embedder, watchlist(), config), embedder


def walk(worker: CameraWorker, code: int, start: int, frames: int, x0: float = 100) -> list:
    alerts = []
    for i in range(start, start + frames):
        box = Box(x0 + 2 * (i - start), 50, x0 + 2 * (i - start) + 90, 140)
        faces = [(box, code)]
        alerts += worker.process(frame_with_faces(i, faces), detections(faces))
    return alerts


def test_watchlisted_face_alerts_once_with_full_evidence() -> None:
    worker, _ = make_worker()
    alerts = walk(worker, ANA_CODE, 0, 40) + worker.finish()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.subject.reference == "ana"
    assert alert.threshold == 0.5 and alert.distance <= 0.5
    assert alert.score == pytest.approx(1 - alert.distance)
    assert alert.track == 1 and alert.camera == "cam"
    assert alert.frame in (2, 3)  # best shot of the 2nd two-frame window completes 2 of 3
    assert alert.probe_crop.size > 0 and alert.enrolled_crop.shape == (8, 8, 3)


def test_stranger_never_alerts_and_only_counts_remain() -> None:
    worker, embedder = make_worker()
    alerts = walk(worker, STRANGER_CODE, 0, 40) + worker.finish()
    assert alerts == []
    assert worker.counts.frames == 40 and worker.counts.face_detections == 40
    assert worker.counts.embeddings == 6 == embedder.calls  # capped per track
    assert worker.tracks == 1


def test_embedding_stops_once_a_track_alerted() -> None:
    worker, embedder = make_worker()
    walk(worker, ANA_CODE, 0, 40)
    assert embedder.calls == 2


def test_same_subject_in_a_new_track_is_held_back_by_cooldown() -> None:
    worker, _ = make_worker(cooldown_s=60.0)
    first = walk(worker, ANA_CODE, 0, 20)
    for i in range(20, 40):  # nobody in view: the track ends
        worker.process(frame_with_faces(i, []), [])
    second = walk(worker, ANA_CODE, 40, 20, x0=400)
    assert len(first) == 1 and second == []
    assert worker.tracks == 2


def test_without_cooldown_a_returning_subject_alerts_again() -> None:
    worker, _ = make_worker(cooldown_s=0.0)
    walk(worker, ANA_CODE, 0, 20)
    for i in range(20, 40):
        worker.process(frame_with_faces(i, []), [])
    assert len(walk(worker, ANA_CODE, 40, 20, x0=400)) == 1


def test_stricter_k_needs_more_evidence() -> None:
    worker, _ = make_worker(hits_needed=3, window=3)
    [alert] = walk(worker, ANA_CODE, 0, 40)
    assert alert.frame in (4, 5)


def test_short_track_is_embedded_when_it_ends() -> None:
    worker, embedder = make_worker()
    walk(worker, STRANGER_CODE, 0, 1)
    worker.finish()
    assert embedder.calls == 1


def test_contract_mismatch_and_empty_watchlist_are_refused() -> None:
    config = EngineConfig()
    other = FakeEmbedder(VECTORS)
    other.contract = type(CONTRACT)("other", "1" * 64, 4, "fake")
    with pytest.raises(ContractMismatchError):
        CameraWorker("cam", FakeAligner(), other, watchlist(), config)
    with pytest.raises(WatchlistError, match="empty"):
        CameraWorker(
            "cam",
            FakeAligner(),
            FakeEmbedder(VECTORS),
            Watchlist.from_templates(CONTRACT, []),
            config,
        )


class SlowEmbedder(FakeEmbedder):
    """Asynchronous: results come back only when the test releases them."""

    def __init__(self, vectors: dict[int, list[float]]) -> None:
        super().__init__(vectors)
        self.futures: list[Future[np.ndarray]] = []
        self.inputs: list[np.ndarray] = []

    def submit(self, faces: list[AlignedFace]) -> Future[np.ndarray]:
        future: Future[np.ndarray] = Future()
        self.futures.append(future)
        self.inputs.append(super().embed(faces))
        return future

    def release_all(self) -> None:
        for future, result in zip(self.futures, self.inputs, strict=True):
            if not future.done():
                future.set_result(result)

    def close(self) -> None:
        pass


def test_async_embedder_never_blocks_and_results_are_acted_on_when_back() -> None:
    config = EngineConfig.model_validate(
        {
            "alert": {"threshold": 0.5, "hits_needed": 2, "window": 3},
            "embedding": {"window_frames": 2, "max_per_track": 6},
        }
    )
    embedder = SlowEmbedder(VECTORS)
    assert isinstance(embedder, AsyncEmbedder)
    worker = CameraWorker("cam", FakeAligner(), embedder, watchlist(), config)
    assert walk(worker, ANA_CODE, 0, 10) == []  # nothing came back yet: no alert, no wait
    assert len(embedder.futures) >= 2
    embedder.release_all()
    alerts = walk(worker, ANA_CODE, 10, 1)
    assert [a.subject.reference for a in alerts] == ["ana"]


def test_finish_waits_for_embeddings_still_out() -> None:
    embedder = SlowEmbedder(VECTORS)
    worker = CameraWorker(
        "cam",
        FakeAligner(),
        embedder,
        watchlist(),
        EngineConfig.model_validate({"alert": {"threshold": 0.5, "hits_needed": 1, "window": 1}}),
    )
    walk(worker, ANA_CODE, 0, 5)
    threading.Timer(0.2, embedder.release_all).start()
    assert [a.subject.reference for a in worker.finish()] == ["ana"]


class TwentyMsEmbedder(FakeEmbedder):
    """Synchronous, and takes at least 20 ms a batch, like a real descriptor."""

    def embed(self, faces: list[AlignedFace]) -> np.ndarray:
        time.sleep(0.02)
        return super().embed(faces)


def test_the_time_a_synchronous_embedder_takes_is_counted_as_embed() -> None:
    config = EngineConfig.model_validate({"embedding": {"window_frames": 2, "max_per_track": 6}})
    embedder = TwentyMsEmbedder(VECTORS)
    worker = CameraWorker("cam", FakeAligner(), embedder, watchlist(), config)
    walk(worker, STRANGER_CODE, 0, 40)
    worker.finish()
    # Six batches of one face, each at least 20 ms, were computed: at least 120 ms in all.
    assert embedder.calls == 6
    assert worker.times.seconds["embed"] >= 0.12


class CountingAligner(FakeAligner):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def align(self, image: np.ndarray, box: Box) -> AlignedFace:
        self.calls += 1
        return super().align(image, box)


def test_a_face_too_small_for_the_quality_gate_is_never_aligned() -> None:
    aligner = CountingAligner()
    embedder = FakeEmbedder(VECTORS)
    worker = CameraWorker("cam", aligner, embedder, watchlist(), EngineConfig())
    for i in range(10):
        faces = [(Box(100 + i, 50, 140 + i, 90), ANA_CODE)]  # 40 px < min_face_px 60
        worker.process(frame_with_faces(i, faces), detections(faces))
    worker.finish()
    assert aligner.calls == 0
    assert worker.counts.shots_rejected == 10 and embedder.calls == 0


def test_a_probe_crop_is_cut_only_for_an_alert(monkeypatch: pytest.MonkeyPatch) -> None:
    cut: list[Box] = []

    def counting_crop(image: np.ndarray, box: Box) -> np.ndarray:
        cut.append(box)
        return crop_around(image, box)

    monkeypatch.setattr("lfr.pipeline.worker.crop_around", counting_crop)
    stranger, _ = make_worker()
    walk(stranger, STRANGER_CODE, 0, 40)
    stranger.finish()
    assert cut == []  # 6 shots embedded, none alerted: no crop of this face was ever made
    ana, _ = make_worker()
    [alert] = walk(ana, ANA_CODE, 0, 40)
    box = Box(100 + 2 * alert.frame, 50, 190 + 2 * alert.frame, 140)  # walk()'s box then
    assert cut == [box]
    expected = crop_around(frame_with_faces(alert.frame, [(box, ANA_CODE)]).image, box)
    np.testing.assert_array_equal(alert.probe_crop, expected)


def test_when_more_faces_want_a_shot_than_the_budget_allows_they_take_turns() -> None:
    aligner = CountingAligner()
    config = EngineConfig.model_validate(
        {"embedding": {"window_frames": 2, "max_per_track": 2, "max_aligned_per_frame": 2}}
    )
    embedder = FakeEmbedder(VECTORS)
    worker = CameraWorker("cam", aligner, embedder, watchlist(), config)
    crowd = [(Box(10 + 100 * k, 50, 100 + 100 * k, 140), STRANGER_CODE) for k in range(5)]
    per_frame = []
    for i in range(12):
        before = aligner.calls
        worker.process(frame_with_faces(i, crowd), detections(crowd))
        per_frame.append(aligner.calls - before)
    worker.finish()
    assert max(per_frame) == 2  # never more than the budget in a frame
    assert embedder.calls == 5 * 2  # yet every track got its two embeddings


def test_a_frame_within_the_budget_aligns_every_wanting_face() -> None:
    aligner = CountingAligner()
    config = EngineConfig.model_validate({"embedding": {"max_aligned_per_frame": 2}})
    worker = CameraWorker("cam", aligner, FakeEmbedder(VECTORS), watchlist(), config)
    pair = [(Box(10, 50, 100, 140), ANA_CODE), (Box(300, 50, 390, 140), STRANGER_CODE)]
    worker.process(frame_with_faces(0, pair), detections(pair))
    assert aligner.calls == 2


# --- "not this person": lookalike negatives ---------------------------------------------------

LOOKALIKE_CODE, BEN_CODE = 30, 40
LOOKALIKE_VECTOR = [0.8, 0.3, 0.0, 0.0]  # 0.32 from Ana's photo: under the 0.5 threshold


def lookalike_worker(negatives: LookalikeNegatives, ben: list[float] | None = None) -> CameraWorker:
    face = encode_jpeg(np.zeros((8, 8, 3), np.uint8))
    templates = [
        Template(subject(ref), np.array(v, np.float32), CONTRACT, f"{ref}/1.jpg", face)
        for ref, v in (("ana", [1.0, 0.05, 0, 0]), ("ben", ben or [0, 0, 1.0, 0.05]))
    ]
    config = EngineConfig.model_validate(
        {
            "alert": {"threshold": 0.5, "hits_needed": 2, "window": 3, "cooldown_s": 0.0},
            "embedding": {"window_frames": 2, "max_per_track": 6},
        }
    )
    vectors = {**VECTORS, LOOKALIKE_CODE: LOOKALIKE_VECTOR, BEN_CODE: [0, 0, 1.0, 0]}
    return CameraWorker(
        "cam",
        FakeAligner(),
        FakeEmbedder(vectors),
        Watchlist.from_templates(CONTRACT, templates),
        config,
        negatives=negatives,
    )


def pass_by(worker: CameraWorker, code: int, start: int) -> list:
    """One person walks through (a track of 20 frames), then nobody for 20 (the track ends)."""
    alerts = walk(worker, code, start, 20, x0=100 + start)
    for i in range(start + 20, start + 40):
        alerts += worker.process(frame_with_faces(i, []), [])
    return alerts


def test_a_rejected_lookalike_does_not_alert_again_and_is_counted() -> None:
    negatives = LookalikeNegatives()
    worker = lookalike_worker(negatives)
    [first] = pass_by(worker, LOOKALIKE_CODE, 0)
    assert first.subject.reference == "ana" and first.probe_descriptor is not None
    # The operator marks it false; the running worker shares the grown negatives.
    negatives.add([Negative(1, "ana", first.probe_descriptor)])
    again = pass_by(worker, LOOKALIKE_CODE, 40) + worker.finish()
    assert again == []
    assert worker.counts.lookalikes_suppressed == 1 and worker.counts.alerts == 1


def test_the_subject_and_other_subjects_still_alert_past_a_negative() -> None:
    negatives = LookalikeNegatives([Negative(1, "ana", np.array(LOOKALIKE_VECTOR, np.float32))])
    worker = lookalike_worker(negatives)
    alerts = pass_by(worker, ANA_CODE, 0) + pass_by(worker, BEN_CODE, 40) + worker.finish()
    assert [a.subject.reference for a in alerts] == ["ana", "ben"]
    assert worker.counts.lookalikes_suppressed == 0


def test_an_alert_carries_the_descriptor_of_the_probe_that_completed_it() -> None:
    worker = lookalike_worker(LookalikeNegatives())
    [alert] = pass_by(worker, LOOKALIKE_CODE, 0)
    assert alert.probe_descriptor is not None
    assert alert.probe_descriptor.tolist() == pytest.approx(LOOKALIKE_VECTOR)
    assert "probe_descriptor" not in repr(alert)  # never printed with the alert


def test_a_face_rejected_for_one_subject_still_alerts_for_the_next_nearest_one() -> None:
    # The lookalike's face is nearest Ana (0.32) but also under the threshold for Ben (0.4):
    # once it is rejected for Ana, it is Ben's match to judge.
    negatives = LookalikeNegatives([Negative(1, "ana", np.array(LOOKALIKE_VECTOR, np.float32))])
    worker = lookalike_worker(negatives, ben=[0.8, 0.3, 0.4, 0.0])  # 0.4 from the lookalike
    alerts = pass_by(worker, LOOKALIKE_CODE, 0) + worker.finish()
    assert [a.subject.reference for a in alerts] == ["ben"]
    assert worker.counts.lookalikes_suppressed == 0  # it alerted: nothing was held back
