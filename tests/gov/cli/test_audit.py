"""``lfr audit verify | export | list`` through the real command line (``lfr.cli.main``)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from lfr.access.services import Services
from lfr.app import build_services, init_data_dir
from lfr.audit.log import entry_hash
from lfr.cli import main
from lfr.config import Settings
from lfr.store.keys import AUDIT_PUBLIC, key_dir, load_public_key
from tests.gov.conftest import ADMIN, OPERATOR, OVERSIGHT
from tests.gov.factories import add_users, audit_entries, run_cli, use_cli

Run = tuple[int, str, str]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    return run_cli(capsys, *argv)


def _fill(services: Services, n: int = 4) -> None:
    with services.transaction() as session:
        for i in range(n):
            services.record(session, "olive", "alert.adjudicate", f"alert:{i}", {"n": i})


@pytest.fixture
def env(services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Services:
    """An initialised system (like the ``services`` fixture) that the CLI finds by environment."""
    use_cli(settings, monkeypatch)
    add_users(services, ADMIN, OPERATOR, OVERSIGHT)
    _fill(services)
    return services


# --- verify ---------------------------------------------------------------------------------


def test_verify_intact_then_broken(env: Services, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "audit", "verify")
    head = audit_entries(env)[-1].hash
    assert (code, err) == (0, "")
    assert out == f"audit chain intact: 4 entries, head {head}\n"

    with env.transaction() as session:
        session.execute(text("""UPDATE audit_log SET details = '{"n": 99}' WHERE seq = 3"""))
    code, out, err = _run(capsys, "audit", "verify")
    assert code == 9 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "audit chain BROKEN at entry 3:" in err and "altered" in err


def test_verify_names_a_deleted_entry(env: Services, capsys: pytest.CaptureFixture[str]) -> None:
    with env.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    code, _, err = _run(capsys, "audit", "verify")
    assert code == 9 and err.count("\n") == 1
    assert "BROKEN at entry 3: entry 2 is missing" in err


def test_verify_detects_entries_cut_from_the_end_with_the_known_head(
    env: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    head = audit_entries(env)[-1].hash
    assert _run(capsys, "audit", "verify", "--known-head", head)[0] == 0
    with env.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    assert _run(capsys, "audit", "verify")[0] == 0  # a shorter chain is still a chain
    code, _, err = _run(capsys, "audit", "verify", "--known-head", head)
    assert code == 9 and err.count("\n") == 1
    assert "no longer in the log" in err


def test_verify_tells_a_mistyped_known_head_from_a_break(
    env: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    head = audit_entries(env)[-1].hash
    for typed in (head[:-2], head[:10] + ("0" if head[10] != "0" else "1") + head[11:]):
        code, _, err = _run(capsys, "audit", "verify", "--known-head", typed)
        assert code == 1 and err.count("\n") == 1, err
        assert "the head you typed is not valid: " in err and "BROKEN" not in err


def test_verify_needs_only_the_database_and_public_key(
    env: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Oversight's own folder holds the public key and nothing else: no data key, no signing
    key, no user account."""
    oversight_dir = tmp_path / "oversight"
    oversight_dir.mkdir()
    public = oversight_dir / "log.pub"
    shutil.copy(key_dir(env.data_dir) / AUDIT_PUBLIC, public)
    code, out, err = _run(
        capsys, "audit", "verify", "--data-dir", str(oversight_dir), "--public-key", str(public)
    )
    assert (code, err) == (0, "") and out.startswith("audit chain intact: 4 entries")
    assert sorted(p.name for p in oversight_dir.iterdir()) == ["log.pub"]


def test_verify_with_another_public_key_fails_at_entry_1(
    env: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.pub"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    code, _, err = _run(capsys, "audit", "verify", "--public-key", str(other))
    assert code == 9 and "BROKEN at entry 1: signature" in err


def test_verify_bad_key_file_is_one_line(
    env: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.pub"
    junk.write_text("not a key")
    for path, code in ((junk, 9), (tmp_path / "missing.pub", 1)):
        got, out, err = _run(capsys, "audit", "verify", "--public-key", str(path))
        assert got == code and out == "" and err.count("\n") == 1, err
        assert str(path) in err


def test_verify_with_a_user_checks_the_role(
    env: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "audit", "verify", "--user", OVERSIGHT.username)
    assert code == 0 and "intact" in out
    code, out, err = _run(capsys, "audit", "verify", "--user", OPERATOR.username)
    assert code == 6 and out == "" and "may not audit.read" in err
    logins = [e.actor for e in audit_entries(env, "auth.login")]
    assert logins == [OVERSIGHT.username, OPERATOR.username]


def test_verify_default_sqlite_in_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LFR_DATABASE_URL", raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("LFR_DATA_DIR", str(data_dir))
    code, _, err = _run(capsys, "audit", "verify")
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err
    assert not (data_dir / "lfr.sqlite3").exists()  # verifying never creates a database

    settings = Settings(data_dir=data_dir)
    init_data_dir(settings)
    services = build_services(settings, {})
    try:
        _fill(services, 2)
    finally:
        services.db.dispose()
    code, out, _ = _run(capsys, "audit", "verify")
    assert code == 0 and out.startswith("audit chain intact: 2 entries")


# --- export ---------------------------------------------------------------------------------


def test_export_json_is_verifiable_and_audited(
    env: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "audit.json"
    code, out, err = _run(
        capsys,
        "audit",
        "export",
        "--format",
        "json",
        "--out",
        str(out_file),
        "--user",
        OVERSIGHT.username,
    )
    assert (code, err) == (0, "") and str(out_file) in out
    exported = json.loads(out_file.read_text())
    public = load_public_key(key_dir(env.data_dir) / AUDIT_PUBLIC)
    prev = "0" * 64
    for record in exported:
        at = datetime.fromisoformat(record["at"])
        digest = entry_hash(
            record["seq"],
            at,
            record["actor"],
            record["action"],
            record["target"],
            record["details"],
            prev,
        )
        assert digest == record["hash"] and record["prev_hash"] == prev
        public.verify(bytes.fromhex(record["signature"]), bytes.fromhex(digest))
        prev = digest
    assert [r["action"] for r in exported][-1] == "auth.login"  # 4 entries + the login
    assert len(exported) == 5

    (export,) = audit_entries(env, "audit.export")
    assert export.actor == OVERSIGHT.username
    assert export.details == {
        "format": "json",
        "entries": 5,
        "head": exported[-1]["hash"],
        "to": str(out_file.resolve()),
    }


def test_export_csv_to_stdout(env: Services, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "audit", "export", "--format", "csv", "--user", ADMIN.username)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 and rows[0]["action"] == "alert.adjudicate"
    assert json.loads(rows[1]["details"]) == {"n": 1}
    assert [e.details["to"] for e in audit_entries(env, "audit.export")] == ["stdout"]


@pytest.mark.parametrize("user", [None, OPERATOR.username])
def test_export_refused_without_audit_role(
    env: Services, capsys: pytest.CaptureFixture[str], tmp_path: Path, user: str | None
) -> None:
    out_file = tmp_path / "audit.csv"
    argv = ["audit", "export", "--format", "csv", "--out", str(out_file)]
    code, out, err = _run(capsys, *argv, *(["--user", user] if user else []))
    assert code == 6 and out == "" and err.count("\n") == 1
    assert not out_file.exists()
    assert audit_entries(env, "audit.export") == []


# --- list -----------------------------------------------------------------------------------


def test_list_filters(env: Services, capsys: pytest.CaptureFixture[str]) -> None:
    with env.transaction() as session:
        env.record(session, "ada", "policy.set", "policy", {"digest": "x"})
    code, out, _ = _run(
        capsys, "audit", "list", "--user", OVERSIGHT.username, "--action", "policy.set", "--json"
    )
    assert code == 0
    (line,) = out.splitlines()
    assert json.loads(line)["actor"] == "ada"

    code, out, _ = _run(capsys, "audit", "list", "--user", OVERSIGHT.username, "--actor", "olive")
    assert code == 0 and len(out.splitlines()) == 4 and "alert.adjudicate" in out

    code, out, _ = _run(
        capsys, "audit", "list", "--user", ADMIN.username, "--action", "alert.", "--json"
    )
    assert [json.loads(x)["target"] for x in out.splitlines()] == [f"alert:{i}" for i in range(4)]

    future = "2999-01-01T00:00:00+00:00"
    code, out, _ = _run(capsys, "audit", "list", "--user", ADMIN.username, "--since", future)
    assert (code, out) == (0, "")

    with pytest.raises(SystemExit) as usage:
        main(["audit", "list", "--user", ADMIN.username, "--since", "yesterday"])
    assert usage.value.code == 2 and "ISO" in capsys.readouterr().err

    code, _, err = _run(capsys, "audit", "list", "--user", OPERATOR.username)
    assert code == 6 and "may not audit.read" in err
