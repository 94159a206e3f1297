"""The detector registry: every configurable backend has a builder, picked by name."""

from __future__ import annotations

import typing

import pytest

from lfr.config import DetectorConfig
from lfr.detect import registry
from lfr.detect.dlib_hog import HogDetector
from lfr.errors import ModelNotInstalledError
from lfr.ingest.synthetic import demo_watchlist_image


def test_every_backend_the_settings_accept_has_a_builder_and_no_other() -> None:
    accepted = typing.get_args(DetectorConfig.model_fields["backend"].annotation)
    assert set(registry.BACKENDS) == set(accepted)
    for name in accepted:
        assert callable(registry.builder(name))


def test_the_default_builds_dlibs_hog_with_the_configured_cut_off() -> None:
    portrait = demo_watchlist_image()
    detector = registry.build_detector(DetectorConfig())
    assert isinstance(detector, HogDetector)
    (face,) = detector.detect(portrait, 0)
    strict = registry.build_detector(DetectorConfig(min_confidence=face.confidence + 0.01))
    assert strict.detect(portrait, 0) == []  # the cut-off reached the detector


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: dlib-hog, dlib-mmod, mmod-onnx, onnx-yunet"):
        registry.builder("faceboxes")


def test_a_backend_without_its_model_folder_says_so() -> None:
    with pytest.raises(ModelNotInstalledError):
        registry.build_detector(DetectorConfig(backend="onnx-yunet"))
