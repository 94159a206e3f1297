"""Hypothesis strategies for settings files (engine config, policy): random text, and valid
settings with a few values changed to anything TOML or JSON can hold."""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from hypothesis import strategies as st

TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-5, 400),  # near the bounds most fields have
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2.0, 2.0),
    TEXT,
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
# What a user might type: anything, or the start of a table or an array left open.
MALFORMED = st.one_of(
    st.text(max_size=200),
    st.builds(lambda key, rest: f"{key} = {rest}", TEXT, st.text(max_size=40)),
    st.builds(lambda name: f"[{name}]\nx = ", TEXT),
)
DEEP = "a = " + "[" * 100_000  # both parsers recurse: this once ended in RecursionError


@st.composite
def changed_settings(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """``valid`` with up to three entries (nested tables too) set to random values, and
    sometimes a key it does not know."""
    settings: dict[str, Any] = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(0, 3))):
        table = settings
        while True:
            key = draw(st.sampled_from(sorted(table)))
            if not (isinstance(table[key], dict) and table[key]) or draw(st.booleans()):
                break
            table = table[key]
        table[key] = draw(VALUES)
    if draw(st.integers(0, 9)) == 0:
        settings[draw(TEXT)] = draw(VALUES)
    return settings


def toml_text(table: dict[str, Any]) -> str:
    return "\n".join(f"{_key(key)} = {_value(value)}" for key, value in table.items())


def json_text(table: dict[str, Any]) -> str:
    return json.dumps(table, default=str)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if value is None:
        return '""'  # TOML has no null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)  # JSON's string escapes are TOML's
