"""The rule table names where each rule is enforced and which test proves it: every module
and test it names exists, so a move of either fails here instead of leaving a dead reference."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "docs" / "jurisdiction-rules.md"
TEST_PREFIXES = ("gov/", "unit/", "api/", "e2e/", "browser/")


def _table_rows() -> list[str]:
    return [
        line for line in RULES.read_text().splitlines() if line.startswith("| ") and "`" in line
    ]


def test_every_module_named_where_a_rule_is_enforced_exists() -> None:
    named = {
        path
        for row in _table_rows()
        for path in re.findall(r"`([a-z_/]+\.py)`", row)
        if not path.startswith(TEST_PREFIXES)
    }
    assert named, "the table names no module"
    missing = sorted(p for p in named if not (ROOT / "src" / "lfr" / p).is_file())
    assert missing == []


def test_every_test_that_proves_a_rule_exists() -> None:
    missing = []
    for row in _table_rows():
        current = None
        for ref in re.findall(r"`((?:gov|unit|api|e2e|browser)/[\w/]+\.py)?(::\w+)?`", row):
            path, name = ref
            current = path or current
            if current is None:
                continue
            source = ROOT / "tests" / current
            if not source.is_file() or (name and f"def {name[2:]}(" not in source.read_text()):
                missing.append(f"{current}{name}")
    assert missing == []
