"""Loading a policy file (``load_policy_file``): any text and any values give a valid
``Policy`` or one clear ``LfrError``, never anything else."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lfr.errors import LfrError
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import load_policy_file
from tests.unit.settings_files import (
    DEEP,
    MALFORMED,
    changed_settings,
    json_text,
    toml_text,
)

PROPERTY = settings(max_examples=100, deadline=None)
DEFAULTS = Policy().model_dump(mode="json")
SUFFIXES = st.sampled_from([".toml", ".json"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("policy")


def load(folder: Path, text: str, suffix: str) -> Policy:
    path = folder / f"policy{suffix}"
    path.write_text(text, encoding="utf-8")
    return load_policy_file(path)


@st.composite
def policy_files(draw: st.DrawFn) -> tuple[str, str]:
    """Any text, or the default policy with a few values changed, as TOML or JSON."""
    suffix = draw(SUFFIXES)
    if draw(st.booleans()):
        return draw(MALFORMED), suffix
    values = draw(changed_settings(DEFAULTS))
    return (toml_text(values) if suffix == ".toml" else json_text(values)), suffix


@PROPERTY
@given(policy_files())
@example((DEEP, ".toml"))
@example((DEEP.removeprefix("a = "), ".json"))
@example(('"just a string"', ".json"))
@example((toml_text({**DEFAULTS, "categories": []}), ".toml"))
@example((json_text({**DEFAULTS, "retention": {"alert_days": -1}}), ".json"))
@example((toml_text({**DEFAULTS, "purposes": ["a", "a"]}), ".toml"))
def test_any_policy_file_gives_that_policy_or_one_clear_error(
    folder: Path, file: tuple[str, str]
) -> None:
    text, suffix = file
    try:
        policy = load(folder, text, suffix)
    except LfrError as exc:
        assert str(exc).startswith(("cannot read policy file", "policy file"))
        assert "\n" not in str(exc)  # one line
    else:
        parsed = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
        assert policy == Policy.model_validate(parsed)
        assert len(policy.digest()) == 64
