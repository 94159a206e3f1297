"""axe-core in the browser tests: the checker ``scripts/axe.sh`` installs from npm, injected into
a page to list its accessibility violations.

Like Chromium, axe is not optional: without it the accessibility tests fail with a message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE: Final = Path(__file__).resolve().parents[2] / ".cache/axe/node_modules/axe-core/axe.min.js"
BLOCKING: Final = frozenset({"serious", "critical"})

# Each violation with the elements it was found on and axe's own summary of what to fix.
_RUN: Final = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
  }));
}"""


def require_axe(path: Path = AXE) -> Path:
    """Fail (never skip) when axe-core is missing: a green run must include these checks."""
    if not path.is_file():
        pytest.fail(
            f"axe-core not found at {path}: run ./scripts/axe.sh (scripts/test.sh does)",
            pytrace=False,
        )
    return path


def violations(page: Page, script: Path = AXE) -> list[dict[str, Any]]:
    """Every violation axe finds on the page as it is now."""
    page.add_script_tag(path=str(require_axe(script)))
    found: list[dict[str, Any]] = page.evaluate(_RUN)
    return found


def blocking(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in found if v["impact"] in BLOCKING]


def describe(found: list[dict[str, Any]]) -> str:
    return json.dumps(found, indent=1)
