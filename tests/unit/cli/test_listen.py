"""What ``lfr serve`` prints about where it listens, and its TLS options."""

from __future__ import annotations

from pathlib import Path

import pytest

from lfr.cli import build_parser
from lfr.cli.engine import listen
from lfr.errors import LfrError


def test_a_bound_address_is_printed_with_the_scheme_in_use() -> None:
    assert listen.listening_line("192.0.2.7", 8443, tls=True).startswith(
        "OpenLFR at https://192.0.2.7:8443/"
    )
    assert listen.listening_line("::1", 8000, tls=False).startswith("OpenLFR at http://[::1]:8000/")


def test_all_interfaces_lists_the_machine_addresses_and_warns_without_tls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(listen, "machine_addresses", lambda: ["127.0.0.1", "198.51.100.4"])
    plain = listen.listening_line("0.0.0.0", 8000, tls=False)
    assert "all interfaces" in plain and "http://198.51.100.4:8000/" in plain
    assert "127.0.0.1" in plain and "lfr serve --tls-cert FILE --tls-key FILE" in plain
    secure = listen.listening_line("0.0.0.0", 8443, tls=True)
    assert "https://198.51.100.4:8443/" in secure and "--tls-cert" not in secure


def test_tls_needs_both_files_and_they_must_exist(tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    assert listen.tls_files(None, None) is None
    with pytest.raises(LfrError, match="both --tls-cert and --tls-key"):
        listen.tls_files(cert, None)
    with pytest.raises(LfrError, match=r"--tls-cert .*no such file"):
        listen.tls_files(cert, key)
    cert.write_text("x")
    key.write_text("y")
    assert listen.tls_files(cert, key) == (str(cert), str(key))
    args = build_parser().parse_args(["serve", "--tls-cert", str(cert), "--tls-key", str(key)])
    assert (args.tls_cert, args.tls_key) == (cert, key)
