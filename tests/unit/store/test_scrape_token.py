"""The Prometheus scrape token: only its SHA-256 digest is kept; the environment can hold it."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from lfr.errors import LfrError
from lfr.store.scrape_token import (
    SCRAPE_TOKEN_ENV,
    SCRAPE_TOKEN_FILE,
    new_scrape_token,
    scrape_token_digest,
)


def test_only_the_digest_of_a_new_token_is_written(tmp_path: Path) -> None:
    token = new_scrape_token(tmp_path)
    path = tmp_path / "keys" / SCRAPE_TOKEN_FILE
    assert len(token) >= 32 and token not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert scrape_token_digest(tmp_path, {}) == hashlib.sha256(token.encode()).digest()
    assert [p.name for p in path.parent.iterdir()] == [SCRAPE_TOKEN_FILE]  # nothing staged left


def test_a_new_token_replaces_the_old_one(tmp_path: Path) -> None:
    first = new_scrape_token(tmp_path)
    second = new_scrape_token(tmp_path)
    assert first != second
    assert scrape_token_digest(tmp_path, {}) == hashlib.sha256(second.encode()).digest()


def test_no_token_configured_means_none(tmp_path: Path) -> None:
    assert scrape_token_digest(tmp_path, {}) is None


def test_the_environment_overrides_the_file_and_must_be_long(tmp_path: Path) -> None:
    new_scrape_token(tmp_path)
    token = "t" * 40
    digest = scrape_token_digest(tmp_path, {SCRAPE_TOKEN_ENV: token})
    assert digest == hashlib.sha256(token.encode()).digest()
    with pytest.raises(LfrError, match="at least 32"):
        scrape_token_digest(tmp_path, {SCRAPE_TOKEN_ENV: "short"})


def test_a_damaged_digest_file_is_refused(tmp_path: Path) -> None:
    new_scrape_token(tmp_path)
    (tmp_path / "keys" / SCRAPE_TOKEN_FILE).write_text("not hex\n")
    with pytest.raises(LfrError, match="lfr metrics-token"):
        scrape_token_digest(tmp_path, {})
