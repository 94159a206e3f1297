"""``lfr metrics-token``: the token alone on stdout, its digest in the data directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from lfr.cli import main
from lfr.store.scrape_token import scrape_token_digest


def test_the_token_is_printed_once_and_only_its_digest_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["metrics-token", "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert out == token + "\n" and "hash" in err and token not in err
    assert scrape_token_digest(tmp_path, {}) == hashlib.sha256(token.encode()).digest()
