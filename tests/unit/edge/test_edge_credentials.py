"""Bus credentials files: mode 0600, never overwritten, the centre's made once and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lfr.edge.credentials.files import (
    BusCredentials,
    centre_credentials,
    read_credentials,
    write_credentials,
)
from lfr.errors import LfrError


def test_a_credentials_file_is_private_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "node1.json"
    write_credentials(path, BusCredentials("node1", "secret"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_credentials(path) == BusCredentials("node1", "secret")
    with pytest.raises(LfrError, match="never overwritten"):
        write_credentials(path, BusCredentials("node1", "other"))
    assert read_credentials(path).password == "secret"


def test_a_file_naming_a_bad_user_or_no_json_is_refused(tmp_path: Path) -> None:
    for text in ('{"user": "a.b", "password": "x"}', "not json", '{"user": "n"}'):
        path = tmp_path / "bad.json"
        path.write_text(text)
        with pytest.raises(LfrError):
            read_credentials(path)


def test_the_centre_credentials_are_created_once(tmp_path: Path) -> None:
    first = centre_credentials(tmp_path / "keys")
    assert first.user == "centre" and len(first.password) >= 32
    assert centre_credentials(tmp_path / "keys") == first
