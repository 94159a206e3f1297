"""Enrolling from a folder: a photo over the image limits is reported by name and skipped
without being decoded, and the other photos still enrol."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lfr.config import EngineConfig
from lfr.domain import Box
from lfr.enrol.folder import Enroller, enrol_folder
from tests.unit.fakes import FakeAligner, FakeEmbedder, OneBoxDetector
from tests.unit.image_bytes import encoded, png_bomb

BOX = Box(20, 20, 120, 120)
CODE = 10  # the marker the fake aligner reads at the box's corner; a black photo reads 0
VECTORS = {CODE: [1.0, 0.0, 0.0, 0.0], 0: [0.0, 1.0, 0.0, 0.0]}


def face_photo() -> bytes:
    image = np.zeros((160, 160, 3), np.uint8)
    image[int(BOX.top), int(BOX.left), 0] = CODE
    return encoded(image, "PNG")


def test_a_bomb_in_the_folder_is_named_with_why_and_the_rest_enrols(tmp_path: Path) -> None:
    alice = tmp_path / "alice"
    alice.mkdir()
    (alice / "front.png").write_bytes(face_photo())
    (alice / "huge.png").write_bytes(png_bomb(8000, 8000))  # 64 megapixels in 8 KB
    enroller = Enroller(OneBoxDetector(BOX), FakeAligner(), FakeEmbedder(VECTORS), EngineConfig())
    report = enrol_folder(tmp_path, enroller, progress=False)
    assert [t.image_name for t in report.templates] == ["alice/front.png"]
    (error,) = report.errors
    assert str(error) == (
        f"{alice / 'huge.png'}: too large: 8000 x 8000 pixels (64 megapixels);"
        " the limit is 40 megapixels per image"
    )
    assert report.subjects_without_template == []
