"""A folder of photos: each face of a multi-face photo is judged on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

from lfr.domain import Alert
from lfr.ingest.image_folder import ImageFolderSource
from lfr.match.watchlist import Watchlist
from lfr.pipeline.engine import Engine, run_source


def test_each_face_of_a_group_photo_gets_its_own_result(
    engine: Engine, watchlist: Watchlist, data: Path, tmp_path: Path
) -> None:
    for name in ("kit_with_rose.jpg", "obama_and_biden.jpg"):
        shutil.copy(data / "scenes" / name, tmp_path / name)
    (tmp_path / "zz_corrupt.jpg").write_bytes(b"not a jpeg")
    for name in ("bradley_cooper_aligned.png", "paul_rudd_1.jpg"):
        shutil.copy(data / "faces" / "unknown" / name, tmp_path / f"zz_{name}")
    alerts: list[Alert] = []
    source = ImageFolderSource(tmp_path)
    summary = run_source(engine, source, watchlist, alerts.append)
    by_photo: dict[int, set[str]] = {}
    for alert in alerts:
        by_photo.setdefault(alert.frame, set()).add(alert.subject.reference)
    assert by_photo == {0: {"kit_harington", "rose_leslie"}, 1: {"barack_obama", "joe_biden"}}
    assert summary.frames == 4  # the corrupt file is skipped, the run goes on
    assert source.stats().unreadable == 1
