"""The browser tests fail, never skip, when Chromium is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import require_chromium


def test_a_missing_chromium_fails_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"Chromium not found at .*apt-get install"):
        require_chromium(tmp_path / "no-chromium")
