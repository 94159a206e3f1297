"""dlib's MMOD detector converted to ONNX finds dlib's faces on real photos, and `lfr run` with
it still raises the one alert of the clip (cut, losslessly, to the second around the alert:
MMOD on a CPU takes a few frames a second)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from lfr.cli.main import main
from lfr.detect.dlib_mmod import MmodDetector
from lfr.detect.mmod_onnx.detector import MmodOnnxDetector
from lfr.domain import Detection
from lfr.imaging import fit_within, read_image
from lfr.match.watchlist import Watchlist
from lfr.models import dlib_model_paths
from tests.e2e.conftest import CLIP, LIN

PHOTOS = [
    # (photo, longest side, upsample): faces of 80 px and up, and a small one found upsampled
    ("scenes/kit_with_rose.jpg", 640, 0),
    ("scenes/two_people.jpg", 640, 0),
    ("faces/joe_biden/biden.jpg", 300, 1),
]
CUT = (76, 106)
"""Frames of the clip kept: Lin faces the camera from about frame 84; with MMOD the alert comes
at frame 94 of the whole clip."""


@pytest.fixture
def short_clip(data: Path, tmp_path: Path) -> Path:
    """Frames ``CUT`` of the clip, re-encoded losslessly (FFV1) at the clip's frame rate."""
    source = cv2.VideoCapture(str(CLIP))
    out = tmp_path / "cut.mkv"
    writer = cv2.VideoWriter(
        str(out), cv2.VideoWriter_fourcc(*"FFV1"), source.get(cv2.CAP_PROP_FPS), (640, 360)
    )
    for index in range(CUT[1]):
        ok, frame = source.read()
        assert ok
        if index >= CUT[0]:
            writer.write(frame)
    writer.release()
    source.release()
    return out


def _pairs(ours: list[Detection], dlibs: list[Detection]) -> list[tuple[Detection, Detection]]:
    return [(max(ours, key=lambda d: d.box.iou(t.box)), t) for t in dlibs]


def test_same_faces_as_dlibs_mmod(data: Path) -> None:
    weights = dlib_model_paths().mmod_detector
    onnx, dlib = MmodOnnxDetector(weights, threads=2), MmodDetector(weights)
    compared = 0
    for name, side, upsample in PHOTOS:
        image, _ = fit_within(read_image(data / name), side)
        ours, dlibs = onnx.detect(image, upsample), dlib.detect(image, upsample)
        assert len(ours) == len(dlibs) >= 1, name
        for mine, theirs in _pairs(ours, dlibs):
            assert mine.box.iou(theirs.box) > 0.9, name
            assert mine.confidence == pytest.approx(theirs.confidence, abs=1e-3), name
            compared += 1
    assert compared >= 5


def test_lfr_run_with_mmod_onnx_raises_the_one_alert(
    watchlist: Watchlist, short_clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    watchlist.save(tmp_path / "wl.npz")
    config = tmp_path / "mmod.toml"
    config.write_text('[detector]\nbackend = "mmod-onnx"\n')
    args = ["run", str(short_clip), "--watchlist", str(tmp_path / "wl.npz")]
    assert main([*args, "--config", str(config), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    alerts = [r for r in records if r["type"] == "alert"]
    assert [a["subject"] for a in alerts] == [LIN]
    summary = records[-1]
    assert summary["type"] == "summary" and summary["frames"] == CUT[1] - CUT[0]
    assert summary["face_detections"] >= 10
