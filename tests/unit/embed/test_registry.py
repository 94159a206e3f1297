"""The embedder registry: every configurable backend has a builder, picked by name, and
``auto`` resolves to one of them."""

from __future__ import annotations

import typing

import pytest

from lfr.config import EmbedderConfig, EngineConfig
from lfr.embed import registry
from lfr.errors import ModelNotInstalledError


def test_every_backend_the_settings_accept_has_a_builder_and_no_other() -> None:
    accepted = set(typing.get_args(EmbedderConfig.model_fields["backend"].annotation))
    assert set(registry.BACKENDS) == accepted - {"auto"}
    for name in registry.BACKENDS:
        assert callable(registry.builder(name))


def test_auto_resolves_to_a_registered_backend_and_a_named_one_to_itself() -> None:
    assert registry.resolve_backend(EngineConfig()) in registry.BACKENDS
    named = EngineConfig.model_validate({"embedder": {"backend": "onnx-sface"}})
    assert registry.resolve_backend(named) == "onnx-sface"


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: dlib-resnet, onnx-resnet, onnx-sface"):
        registry.builder("arcface")


def test_a_backend_without_its_model_folder_says_so_before_any_check_runs() -> None:
    def no_reference() -> list[typing.Any]:
        raise AssertionError("the reference faces are only for the dlib-contract check")

    config = EngineConfig.model_validate({"embedder": {"backend": "onnx-sface"}})
    with pytest.raises(ModelNotInstalledError):
        registry.build_embedder(config, no_reference)
