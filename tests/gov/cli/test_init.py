"""``lfr init`` and ``lfr user`` through ``lfr.cli.main``, on both backends."""

from __future__ import annotations

import io
import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lfr.access.services import Services
from lfr.app import build_services
from lfr.cli import main
from lfr.config import Settings
from lfr.store.keys import AUDIT_PRIVATE, AUDIT_PUBLIC, DATA_KEY
from lfr.store.tables import LoginFailureWindow, User
from tests.gov.factories import audit_actions, audit_entries

ADMIN_PASSWORD = "admin pass phrase 1"
OLIVE_PASSWORD = "operator pass phrase"


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """These tests build the schema themselves: they start from a database with none."""
    return empty_database_url


@pytest.fixture
def data_dir(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "state"
    monkeypatch.setenv("LFR_DATA_DIR", str(data))
    monkeypatch.setenv("LFR_DATABASE_URL", database_url)
    for name in ("LFR_PASSWORD", "LFR_NEW_PASSWORD", "LFR_USER", "LFR_DATA_KEY"):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture
def opened(data_dir: Path, database_url: str) -> Iterator[Services]:
    """Initialised with admin "ada"; the services to inspect what the commands wrote."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
        assert main(["init", "--admin", "ada"]) == 0
    services = build_services(Settings(data_dir=data_dir, database_url=database_url), {})
    yield services
    services.db.dispose()


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("lfr: error: ")
    return lines[0]


def test_init_creates_keys_with_mode_0600_and_the_first_admin(
    data_dir: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    assert main(["init", "--admin", "ada"]) == 0
    out = capsys.readouterr().out
    keys = data_dir / "keys"
    for name in (DATA_KEY, AUDIT_PRIVATE):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600
        assert f"created key {keys / name} (mode 0600)" in out
    assert f"audit public key: {keys / AUDIT_PUBLIC}" in out
    assert "schema created" in out and "admin ada created" in out
    assert ADMIN_PASSWORD not in out
    if "@" in database_url:  # a PostgreSQL URL with a password: never printed
        assert ":lfr@" not in out

    services = build_services(Settings(data_dir=data_dir, database_url=database_url), {})
    try:
        assert audit_actions(services) == ["system.init", "user.bootstrap"]
        (init_entry,) = audit_entries(services, "system.init")
        assert init_entry.details["keys_created"] == [DATA_KEY, AUDIT_PRIVATE]
        assert init_entry.details["schema_created"] is True
        with services.transaction() as session:
            (admin,) = session.scalars(select(User))
            assert (admin.username, admin.role, admin.created_by) == ("ada", "admin", "system")
            assert services.audit.verify(session).ok
    finally:
        services.db.dispose()


def test_init_again_changes_no_key_and_audits_nothing(
    opened: Services, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = data_dir / "keys"
    before = {p.name: p.read_bytes() for p in keys.iterdir()}
    capsys.readouterr()
    assert main(["init"]) == 0
    out = capsys.readouterr().out
    assert "none changed" in out and "created key" not in out and "schema up to date" in out
    assert {p.name: p.read_bytes() for p in keys.iterdir()} == before
    assert audit_actions(opened) == ["system.init", "user.bootstrap"]


def test_second_bootstrap_is_refused(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    capsys.readouterr()
    assert main(["init", "--admin", "eve"]) == 1
    assert "users already exist" in _one_error_line(capsys.readouterr().err)
    with opened.transaction() as session:
        assert list(session.scalars(select(User.username))) == ["ada"]


def test_init_with_a_weak_admin_password_creates_nothing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["init", "--admin", "ada", "--password-stdin"]) == 1
    assert "password too short" in _one_error_line(capsys.readouterr().err)
    assert not data_dir.exists()


def test_user_add_and_list(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("LFR_NEW_PASSWORD", OLIVE_PASSWORD)
    capsys.readouterr()
    assert main(["user", "add", "olive", "--role", "operator", "--user", "ada"]) == 0
    assert capsys.readouterr().out.strip() == "user olive added (role operator)"

    assert main(["user", "list", "--json", "--user", "ada"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["username"], r["role"], r["active"], r["created_by"]) for r in rows] == [
        ("ada", "admin", True, "system"),
        ("olive", "operator", True, "ada"),
    ]
    assert all("password" not in key for row in rows for key in row)

    monkeypatch.setenv("LFR_USER", "ada")  # the default of --user
    assert main(["user", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["USERNAME", "ROLE", "STATE", "CREATED"]
    assert lines[2].split()[:3] == ["olive", "operator", "active"]

    # the new account works, and may not manage users
    monkeypatch.setenv("LFR_PASSWORD", OLIVE_PASSWORD)
    assert main(["user", "list", "--user", "olive"]) == 6
    assert "may not user.manage" in _one_error_line(capsys.readouterr().err)
    assert audit_actions(opened)[-1] == "auth.login"  # olive's login; the refusal wrote nothing


def test_passwords_from_stdin(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{ADMIN_PASSWORD}\n{OLIVE_PASSWORD}\n"))
    argv = ["user", "add", "olive", "--role", "field_officer", "--user", "ada"]
    assert main([*argv, "--password-stdin", "--new-password-stdin"]) == 0
    monkeypatch.setenv("LFR_PASSWORD", OLIVE_PASSWORD)
    monkeypatch.setenv("LFR_NEW_PASSWORD", "olive's new pass phrase")
    assert main(["user", "passwd", "--user", "olive"]) == 0
    assert "password of olive changed" in capsys.readouterr().out
    monkeypatch.setenv("LFR_PASSWORD", "olive's new pass phrase")
    assert (
        main(["user", "list", "--user", "olive"]) == 6
    )  # logged in, then refused: a field officer
    assert "may not" in capsys.readouterr().err


def test_wrong_password_exits_6_with_one_line(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", "not the admin's password")
    capsys.readouterr()
    assert main(["user", "list", "--user", "ada"]) == 6
    captured = capsys.readouterr()
    assert _one_error_line(captured.err) == "lfr: error: wrong username or password"
    assert captured.out == ""
    assert main(["user", "list", "--user", "nobody"]) == 6
    assert _one_error_line(capsys.readouterr().err) == "lfr: error: wrong username or password"
    assert "auth.login_failed" not in audit_actions(opened)  # counted, audited per window
    with opened.transaction() as session:  # (a window may have closed between the two)
        open_windows = [w.failures for w in session.scalars(select(LoginFailureWindow))]
    closed = [e.details["failures"] for e in audit_entries(opened, "auth.login_failures")]
    assert sum(open_windows + closed) == 2


def test_user_commands_refuse_bad_input_with_one_line(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("LFR_NEW_PASSWORD", "short")
    capsys.readouterr()
    assert main(["user", "add", "olive", "--role", "operator", "--user", "ada"]) == 1
    assert "password too short" in _one_error_line(capsys.readouterr().err)
    assert main(["user", "disable", "ada", "--user", "ada"]) == 7
    assert "your own account" in _one_error_line(capsys.readouterr().err)
    assert main(["user", "enable", "nobody", "--user", "ada"]) == 8
    assert "no user 'nobody'" in _one_error_line(capsys.readouterr().err)
    with pytest.raises(SystemExit) as usage:
        main(["user", "add", "olive", "--role", "system", "--user", "ada"])
    assert usage.value.code == 2
    _one_error_line(capsys.readouterr().err)
    assert main(["user", "list"]) == 6  # nobody named as actor
    assert "--user" in _one_error_line(capsys.readouterr().err)
    with opened.transaction() as session:
        assert list(session.scalars(select(User.username))) == ["ada"]


def test_disable_enable_and_role_commands(
    opened: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("LFR_NEW_PASSWORD", OLIVE_PASSWORD)
    monkeypatch.setenv("LFR_USER", "ada")
    assert main(["user", "add", "olive", "--role", "operator"]) == 0
    assert main(["user", "role", "olive", "oversight"]) == 0
    assert main(["user", "disable", "olive"]) == 0
    assert main(["user", "enable", "olive"]) == 0
    out = capsys.readouterr().out
    assert "olive now has role oversight" in out and "olive disabled" in out
    assert "olive enabled" in out
    with opened.transaction() as session:
        olive = session.scalars(select(User).where(User.username == "olive")).one()
        assert (olive.role, olive.active) == ("oversight", True)
        assert opened.audit.verify(session).ok
    assert [a for a in audit_actions(opened) if a.startswith("user.")] == [
        "user.bootstrap",
        "user.create",
        "user.role",
        "user.disable",
        "user.enable",
    ]


@pytest.mark.parametrize(
    "url", ["postgresql+psycopg://lfr:s3cret@127.0.0.1:1/nowhere", "not a url at all"]
)
def test_init_with_an_unusable_database_fails_with_one_line(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LFR_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("LFR_DATABASE_URL", url)
    assert main(["init"]) == 1
    line = _one_error_line(capsys.readouterr().err)
    assert "database" in line and "s3cret" not in line
