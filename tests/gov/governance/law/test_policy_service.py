from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.cli import main
from lfr.config import Settings
from lfr.errors import LfrError, PermissionDeniedError, PolicyViolationError
from lfr.governance.law.policy import Policy, RetentionPolicy
from lfr.governance.law.policy_service import current_policy, load_policy_file, set_policy
from lfr.store.tables import PolicyVersion
from tests.gov.conftest import ADMIN, MANAGER, OPERATOR, OVERSIGHT
from tests.gov.factories import PASSWORD, add_users, audit_count, audit_entries

STRICT = Policy(
    categories=["wanted by the courts"],
    max_watchlist_size=500,
    retention=RetentionPolicy(alert_days=7),
)


def _versions(services: Services) -> int:
    with services.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(PolicyVersion)) or 0)


def test_defaults_before_any_policy_is_set(services: Services) -> None:
    assert current_policy(services, OPERATOR) == Policy()
    assert _versions(services) == 0


def test_set_then_get_round_trip_and_audit(services: Services) -> None:
    digest = set_policy(services, ADMIN, STRICT)

    assert digest == STRICT.digest()
    assert current_policy(services, OVERSIGHT) == STRICT
    with services.transaction() as session:
        row = session.scalars(select(PolicyVersion)).one()
        assert row.body == STRICT.model_dump(mode="json")
        assert row.digest == digest and row.created_by == ADMIN.username
    [entry] = audit_entries(services, "policy.set")
    assert entry.actor == ADMIN.username
    assert entry.details == {
        "old_digest": Policy().digest(),
        "new_digest": digest,
        "changed": ["categories", "max_watchlist_size", "retention"],
    }


def test_each_change_is_a_new_version_and_the_newest_is_in_force(services: Services) -> None:
    set_policy(services, ADMIN, STRICT)
    looser = STRICT.model_copy(update={"max_entry_days": 90})
    set_policy(services, ADMIN, looser)

    assert current_policy(services, ADMIN).max_entry_days == 90
    assert _versions(services) == 2
    second = audit_entries(services, "policy.set")[1]
    assert second.details["old_digest"] == STRICT.digest()
    assert second.details["changed"] == ["max_entry_days"]
    with services.transaction() as session:
        assert services.audit.verify(session).ok


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_admin_sets_the_policy(services: Services, role: Role) -> None:
    before = audit_count(services)
    with pytest.raises(PermissionDeniedError):
        set_policy(services, Actor("someone", role), STRICT)
    assert _versions(services) == 0 and audit_count(services) == before


def test_the_system_role_cannot_read_the_policy(services: Services) -> None:
    with pytest.raises(PermissionDeniedError):
        current_policy(services, Actor("system", Role.SYSTEM))


def test_an_invalid_model_is_refused_and_nothing_written(services: Services) -> None:
    bad = Policy().model_copy(update={"max_watchlist_size": 0})  # model_copy does not validate
    with pytest.raises(PolicyViolationError, match="max_watchlist_size"):
        set_policy(services, ADMIN, bad)
    assert _versions(services) == 0 and audit_count(services) == 0


def test_policy_file_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "policy.toml"
    toml.write_text(
        'categories = ["wanted by the courts"]\nmax_watchlist_size = 500\n'
        "[retention]\nalert_days = 7\n"
    )
    as_json = tmp_path / "policy.json"
    as_json.write_text(json.dumps(STRICT.model_dump(mode="json")))

    assert load_policy_file(toml) == STRICT
    assert load_policy_file(as_json) == STRICT


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("max_watchlist_size = 10\nmax_wachlist_days = 3\n", "max_wachlist_days: Extra inputs"),
        ("[retention]\nalert_media_days = 31\nforever = true\n", "retention.forever: Extra"),
        ("max_threshold = 2.0\n", "max_threshold: Input should be less than or equal to 1.2"),
        ('categories = ["a", "a"]\n', "categories has duplicates"),
        ("categories = []\n", "categories: List should have at least 1 item"),
    ],
)
def test_bad_policy_file_is_refused_in_one_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(content)
    with pytest.raises(PolicyViolationError) as caught:
        load_policy_file(path)
    message = str(caught.value)
    assert expected in message and str(path) in message
    assert "\n" not in message


def test_unreadable_policy_file(tmp_path: Path) -> None:
    with pytest.raises(LfrError, match="cannot read policy file"):
        load_policy_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(LfrError, match="cannot read policy file"):
        load_policy_file(broken)
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]")
    with pytest.raises(PolicyViolationError, match="expected a table"):
        load_policy_file(listing)


# --- command line -------------------------------------------------------------------------------


@pytest.fixture
def cli_env(services: Services, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Services:
    add_users(services)
    monkeypatch.setenv("LFR_DATA_DIR", str(settings.data_dir))
    assert settings.database_url is not None
    monkeypatch.setenv("LFR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LFR_PASSWORD", PASSWORD)
    monkeypatch.delenv("LFR_DATA_KEY", raising=False)
    return services


def test_cli_policy_set_and_show(
    cli_env: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(STRICT.model_dump(mode="json")))
    monkeypatch.setenv("LFR_USER", ADMIN.username)

    assert main(["policy", "set", str(path)]) == 0
    assert STRICT.digest()[:16] in capsys.readouterr().out
    [entry] = audit_entries(cli_env, "policy.set")
    assert entry.actor == ADMIN.username and entry.details["new_digest"] == STRICT.digest()

    monkeypatch.setenv("LFR_USER", OPERATOR.username)
    assert main(["policy", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert Policy.model_validate(shown) == STRICT

    assert main(["policy", "show"]) == 0
    text = capsys.readouterr().out
    assert "wanted by the courts" in text and "500 entries" in text
    assert "wanted for knife crime" not in text


def test_cli_policy_set_refusals_are_one_line(
    cli_env: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = tmp_path / "policy.json"
    good.write_text(json.dumps(STRICT.model_dump(mode="json")))
    bad = tmp_path / "bad.toml"
    bad.write_text("max_watchlist_size = 10\nsurprise = 1\n")

    monkeypatch.setenv("LFR_USER", MANAGER.username)
    assert main(["policy", "set", str(good)]) == PermissionDeniedError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "may not policy.set" in err

    monkeypatch.setenv("LFR_USER", ADMIN.username)
    assert main(["policy", "set", str(bad)]) == PolicyViolationError.exit_code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "surprise" in err and "Traceback" not in err

    assert _versions(cli_env) == 0
    assert audit_entries(cli_env, "policy.set") == []
