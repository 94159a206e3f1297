"""dlib's ResNet converted to ONNX gives dlib's descriptors on real faces, so templates
enrolled with one backend are found by the other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from lfr.cli.main import main
from lfr.detect.dlib_hog import HogDetector
from lfr.domain import AlignedFace, Subject, Template
from lfr.embed.dlib_resnet import DlibAligner, DlibEmbedder
from lfr.embed.resnet_onnx.embedder import OnnxResnetEmbedder, max_abs_difference
from lfr.imaging import IMAGE_SUFFIXES, fit_within, read_image
from lfr.match.watchlist import Watchlist
from lfr.models import dlib_model_paths, sha256_file

TOLERANCE = 1e-5


@dataclass(frozen=True)
class Embedded:
    names: list[str]
    faces: list[AlignedFace]
    dlib: npt.NDArray[np.float32]
    onnx: npt.NDArray[np.float32]
    dlib_embedder: DlibEmbedder
    onnx_embedder: OnnxResnetEmbedder


@pytest.fixture(scope="module")
def embedded(data: Path) -> Embedded:
    """The biggest face of every photo of every identity, with both backends."""
    paths = dlib_model_paths()
    weights = paths.face_recognition_resnet
    detector, aligner = HogDetector(), DlibAligner(paths.shape_predictor_5)
    names: list[str] = []
    faces: list[AlignedFace] = []
    for photo in sorted((data / "faces").glob("*/*")):
        if photo.parent.name == "unknown" or photo.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        image, _ = fit_within(read_image(photo), 1600)
        found = detector.detect(image, 0) or detector.detect(image, 1)
        if found:
            biggest = max(found, key=lambda d: d.box.width * d.box.height)
            faces.append(aligner.align(image, biggest.box))
            names.append(f"{photo.parent.name}/{photo.name}")
    dlib_embedder = DlibEmbedder(weights, sha256_file(weights))
    onnx_embedder = OnnxResnetEmbedder(weights, sha256_file(weights))  # converted in memory
    return Embedded(
        names,
        faces,
        dlib_embedder.embed(faces),
        onnx_embedder.embed(faces),
        dlib_embedder,
        onnx_embedder,
    )


def test_onnx_gives_dlibs_descriptors_on_every_face(embedded: Embedded) -> None:
    assert len(embedded.faces) >= 12
    assert embedded.onnx_embedder.contract == embedded.dlib_embedder.contract
    worst = np.abs(embedded.dlib - embedded.onnx).max(axis=1)
    too_far = [f"{n}: {w:.2g}" for n, w in zip(embedded.names, worst, strict=True) if w > 0]
    assert worst.max() <= TOLERANCE, too_far
    chips = [f.chip for f in embedded.faces[:3]]
    check = max_abs_difference(chips, embedded.onnx_embedder, embedded.dlib_embedder)
    assert check <= TOLERANCE


def test_templates_enrolled_with_dlib_are_found_by_onnx(embedded: Embedded) -> None:
    contract = embedded.dlib_embedder.contract
    templates = [
        Template(Subject(name.split("/")[0], name), vector, contract, name, b"")
        for name, vector in zip(embedded.names, embedded.dlib, strict=True)
    ]
    watchlist = Watchlist.from_templates(embedded.onnx_embedder.contract, templates)
    matches = watchlist.nearest(embedded.onnx)
    assert [m.template_index for m in matches] == list(range(len(templates)))
    exact = np.linalg.norm(embedded.dlib.astype(np.float64) - embedded.onnx, axis=1)
    assert exact.max() < 1e-4
    # The index expands |a-b|^2 = |a|^2 + |b|^2 - 2ab in float32, so near 0 it reads to ~1e-3
    # (a dlib descriptor searched for itself reads the same); the threshold is 0.6.
    self_matches = watchlist.nearest(embedded.dlib)
    assert max(m.distance for m in matches) <= max(m.distance for m in self_matches) + 1e-3 < 3e-3


def test_models_check_command_passes_on_a_folder(
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["models", "check", str(data / "faces" / "joe_biden")]) == 0
    out = capsys.readouterr().out
    assert "faces checked: 3" in out  # the demo portrait and two photos
    assert "ok: the ONNX model gives dlib's descriptors" in out
