"""Model file lookup, hashing and the dlib weight paths (no network, no ONNX weights needed)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from lfr.errors import ModelNotInstalledError
from lfr.models import dlib_model_paths, require_model_file, sha256_file

YUNET = ["face_detection_yunet_2023mar.onnx", "*yunet*.onnx"]


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 12345)  # spans several read chunks
    path = tmp_path / "weights.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert sha256_file(str(path)) == hashlib.sha256(data).hexdigest()


def test_sha256_file_rehashes_a_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(b"first")
    assert sha256_file(path) == hashlib.sha256(b"first").hexdigest()
    path.write_bytes(b"second, longer")
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse-clock filesystems
    assert sha256_file(path) == hashlib.sha256(b"second, longer").hexdigest()


def test_no_model_dir_names_the_file_and_the_flag() -> None:
    with pytest.raises(ModelNotInstalledError) as err:
        require_model_file(None, YUNET, "YuNet face detector")
    message = str(err.value)
    assert "face_detection_yunet_2023mar.onnx" in message
    assert "--model-dir" in message
    assert "OpenCV model zoo" in message
    assert "\n" not in message


def test_missing_model_dir(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ModelNotInstalledError) as err:
        require_model_file(missing, YUNET, "YuNet face detector")
    assert str(missing) in str(err.value)
    assert "face_detection_yunet_2023mar.onnx" in str(err.value)


def test_model_dir_that_is_a_file(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x")
    with pytest.raises(ModelNotInstalledError, match="not a directory"):
        require_model_file(not_a_dir, YUNET, "YuNet face detector")


def test_dir_without_the_file(tmp_path: Path) -> None:
    (tmp_path / "face_recognition_sface_2021dec.onnx").write_bytes(b"other model")
    with pytest.raises(ModelNotInstalledError) as err:
        require_model_file(tmp_path, YUNET, "YuNet face detector")
    message = str(err.value)
    assert "YuNet face detector" in message
    assert "face_detection_yunet_2023mar.onnx" in message
    assert str(tmp_path) in message


def test_canonical_name_is_found(tmp_path: Path) -> None:
    wanted = tmp_path / "face_detection_yunet_2023mar.onnx"
    wanted.write_bytes(b"x")
    (tmp_path / "face_detection_yunet_2023mar_int8.onnx").write_bytes(b"y")
    assert require_model_file(tmp_path, YUNET, "YuNet") == wanted


def test_pattern_finds_a_differently_named_file(tmp_path: Path) -> None:
    other = tmp_path / "My_YuNet_v2.onnx"
    other.write_bytes(b"x")
    (tmp_path / "readme.txt").write_text("not a model")
    assert require_model_file(tmp_path, YUNET, "YuNet") == other


def test_ambiguous_pattern_is_an_error_not_a_guess(tmp_path: Path) -> None:
    (tmp_path / "yunet_a.onnx").write_bytes(b"a")
    (tmp_path / "yunet_b.onnx").write_bytes(b"b")
    with pytest.raises(ModelNotInstalledError) as err:
        require_model_file(tmp_path, YUNET, "YuNet")
    assert "yunet_a.onnx" in str(err.value)
    assert "yunet_b.onnx" in str(err.value)


def test_subdirectories_are_not_searched(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "face_detection_yunet_2023mar.onnx").write_bytes(b"x")
    with pytest.raises(ModelNotInstalledError):
        require_model_file(tmp_path, YUNET, "YuNet")


def test_dlib_model_paths_exist() -> None:
    paths = dlib_model_paths()
    assert paths.shape_predictor_5.name == "shape_predictor_5_face_landmarks.dat"
    assert paths.face_recognition_resnet.name == "dlib_face_recognition_resnet_model_v1.dat"
    assert paths.mmod_detector.name == "mmod_human_face_detector.dat"
    for path in paths:
        assert path.is_file()
        assert path.stat().st_size > 100_000


def test_dlib_model_paths_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def no_models(name: str, package: str | None = None) -> object:
        return None if name == "face_recognition_models" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", no_models)
    with pytest.raises(ModelNotInstalledError, match="pip install face_recognition_models"):
        dlib_model_paths()
