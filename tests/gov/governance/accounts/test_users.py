"""Accounts, roles and login: the service layer (``lfr.governance.accounts.users``) on both
backends."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from lfr.access.roles import SYSTEM, Actor, Role
from lfr.access.services import Services
from lfr.errors import (
    AuthenticationError,
    LfrError,
    NotFoundError,
    PermissionDeniedError,
    StateError,
)
from lfr.governance.accounts.login_failures import AUDIT_ACTION, WINDOW, close_windows
from lfr.governance.accounts.users import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    WRONG_CREDENTIALS,
    UserView,
    authenticate,
    bootstrap_admin,
    change_password,
    create_user,
    disable_user,
    enable_user,
    list_users,
    needs_rehash,
    set_role,
)
from lfr.store.tables import User
from tests.gov.conftest import (
    ADMIN,
    AUTHORISER,
    FIELD,
    MANAGER,
    OPERATOR,
    OVERSIGHT,
)
from tests.gov.factories import PASSWORD, add_users, audit_count, audit_entries

NEW_PASSWORD = "a much longer pass phrase"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _user(services: Services, username: str) -> User:
    with services.transaction() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def _users_table(services: Services) -> list[tuple[Any, ...]]:
    with services.transaction() as session:
        rows = session.scalars(select(User).order_by(User.username))
        return [
            (u.username, u.password_hash, u.role, u.active, u.failed_logins, u.locked_until)
            for u in rows
        ]


def _chain_ok(services: Services) -> None:
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok, report.problem


# --- management -----------------------------------------------------------------------------------


def test_create_list_disable(services: Services) -> None:
    add_users(services)
    create_user(services, ADMIN, "new.user", NEW_PASSWORD, Role.OPERATOR)

    views = {v.username: v for v in list_users(services, ADMIN)}
    view = views["new.user"]
    assert isinstance(view, UserView)
    assert (view.role, view.active, view.failed_logins, view.created_by) == (
        Role.OPERATOR,
        True,
        0,
        ADMIN.username,
    )
    assert not hasattr(view, "password_hash")
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.role = Role.ADMIN  # type: ignore[misc]
    (created,) = audit_entries(services, "user.create")
    assert (created.actor, created.target, created.details) == (
        "ada",
        "user:new.user",
        {"role": "operator"},
    )
    assert authenticate(services, "new.user", NEW_PASSWORD) == Actor("new.user", Role.OPERATOR)

    disable_user(services, ADMIN, "new.user")
    assert not {v.username: v for v in list_users(services, ADMIN)}["new.user"].active
    with pytest.raises(AuthenticationError, match="account disabled"):
        authenticate(services, "new.user", NEW_PASSWORD)
    with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
        authenticate(services, "new.user", "not the password at all")  # no hint it is disabled
    with pytest.raises(StateError, match="already disabled"):
        disable_user(services, ADMIN, "new.user")

    enable_user(services, ADMIN, "new.user")
    assert authenticate(services, "new.user", NEW_PASSWORD).role is Role.OPERATOR
    _chain_ok(services)


def test_no_password_or_hash_reaches_the_audit_log(services: Services) -> None:
    add_users(services)
    create_user(services, ADMIN, "new.user", NEW_PASSWORD, Role.OPERATOR)
    authenticate(services, "new.user", NEW_PASSWORD)
    with pytest.raises(AuthenticationError):
        authenticate(services, "new.user", "wrong but long password")
    change_password(services, Actor("new.user", Role.OPERATOR), NEW_PASSWORD, "yet another phrase")
    stored_hash = _user(services, "new.user").password_hash
    text = repr([(e.actor, e.target, e.details) for e in audit_entries(services)])
    for secret in (NEW_PASSWORD, "wrong but long password", "yet another phrase", stored_hash):
        assert secret not in text
    assert "$argon2" not in text


@pytest.mark.real_password_hashing
def test_stored_password_is_an_argon2_hash(services: Services) -> None:
    add_users(services)
    create_user(services, ADMIN, "new.user", NEW_PASSWORD, Role.FIELD_OFFICER)
    stored = _user(services, "new.user").password_hash
    assert stored.startswith("$argon2id$") and NEW_PASSWORD not in stored
    assert PasswordHasher().verify(stored, NEW_PASSWORD)
    # argon2-cffi's defaults (RFC 9106, 64 MiB, 3 passes), not the tests' cheaper strength
    assert not PasswordHasher().check_needs_rehash(stored)


def test_duplicate_user_is_refused_and_nothing_written(services: Services) -> None:
    add_users(services)
    before = audit_count(services)
    with pytest.raises(LfrError, match="user olive already exists"):
        create_user(services, ADMIN, OPERATOR.username, NEW_PASSWORD, Role.FIELD_OFFICER)
    assert audit_count(services) == before
    assert _user(services, OPERATOR.username).role == Role.OPERATOR.value


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("new.user", "short pass", Role.OPERATOR, "password too short"),
        ("new.user", "x" * 11, Role.OPERATOR, "at least 12"),
        ("new.user", "x" * 2000, Role.OPERATOR, "password too long"),
        ("new.user.1234", "new.user.1234", Role.OPERATOR, "must not be the username"),
        ("ab", NEW_PASSWORD, Role.OPERATOR, "invalid username"),
        ("Upper", NEW_PASSWORD, Role.OPERATOR, "invalid username"),
        ("a b c", NEW_PASSWORD, Role.OPERATOR, "invalid username"),
        ("x" * 65, NEW_PASSWORD, Role.OPERATOR, "invalid username"),
        ("system", NEW_PASSWORD, Role.OPERATOR, "reserved"),
        ("new.user", NEW_PASSWORD, Role.SYSTEM, "role must be one of"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    services: Services, username: str, password: str, role: Role, message: str
) -> None:
    add_users(services)
    before, users = audit_count(services), _users_table(services)
    with pytest.raises(LfrError, match=message):
        create_user(services, ADMIN, username, password, role)
    assert audit_count(services) == before
    assert _users_table(services) == users


def test_longest_allowed_username_is_accepted(services: Services) -> None:
    add_users(services)
    name = "a" * 64
    create_user(services, ADMIN, name, NEW_PASSWORD, Role.OVERSIGHT)
    assert authenticate(services, name, NEW_PASSWORD) == Actor(name, Role.OVERSIGHT)


_MANAGEMENT: dict[str, Callable[[Services, Actor], object]] = {
    "create": lambda s, a: create_user(s, a, "new.user", NEW_PASSWORD, Role.OPERATOR),
    "disable": lambda s, a: disable_user(s, a, MANAGER.username),
    "enable": lambda s, a: enable_user(s, a, OPERATOR.username),
    "role": lambda s, a: set_role(s, a, FIELD.username, Role.ADMIN),
    "list": lambda s, a: list_users(s, a),
}


@pytest.mark.parametrize(
    "actor", [MANAGER, AUTHORISER, OPERATOR, FIELD, OVERSIGHT, SYSTEM], ids=lambda a: a.role.value
)
def test_only_an_admin_manages_users(services: Services, actor: Actor) -> None:
    add_users(services)
    with services.transaction() as session:  # so that "enable" would have something to do
        session.scalars(select(User).where(User.username == OPERATOR.username)).one().active = False
    before, users = audit_count(services), _users_table(services)
    for name, call in _MANAGEMENT.items():
        with pytest.raises(PermissionDeniedError, match=r"user\.manage"):
            call(services, actor)
        assert audit_count(services) == before, name
        assert _users_table(services) == users, name
    # the same calls succeed for an admin, so the refusals above are about the role
    for call in _MANAGEMENT.values():
        call(services, ADMIN)
    assert audit_count(services) == before + 4


def test_unknown_user_is_not_found(services: Services) -> None:
    add_users(services)
    before = audit_count(services)
    for call in (disable_user, enable_user):
        with pytest.raises(NotFoundError, match="no user 'nobody'"):
            call(services, ADMIN, "nobody")
    with pytest.raises(NotFoundError):
        set_role(services, ADMIN, "nobody", Role.OPERATOR)
    assert audit_count(services) == before


def test_set_role_is_audited_and_takes_effect_at_next_login(services: Services) -> None:
    add_users(services)
    set_role(services, ADMIN, OPERATOR.username, Role.AUTHORISING_OFFICER)
    (entry,) = audit_entries(services, "user.role")
    assert entry.details == {"from": "operator", "to": "authorising_officer"}
    assert authenticate(services, OPERATOR.username, PASSWORD).role is Role.AUTHORISING_OFFICER
    with pytest.raises(StateError, match="already has role"):
        set_role(services, ADMIN, OPERATOR.username, Role.AUTHORISING_OFFICER)


def test_admin_cannot_disable_or_demote_themselves(services: Services) -> None:
    add_users(services)
    before = audit_count(services)
    with pytest.raises(StateError, match="your own account"):
        disable_user(services, ADMIN, ADMIN.username)
    with pytest.raises(StateError, match="your own role"):
        set_role(services, ADMIN, ADMIN.username, Role.OVERSIGHT)
    assert audit_count(services) == before
    assert _user(services, ADMIN.username).active


def test_last_active_admin_cannot_be_removed(services: Services) -> None:
    add_users(services)
    create_user(services, ADMIN, "bob", NEW_PASSWORD, Role.ADMIN)
    bob = authenticate(services, "bob", NEW_PASSWORD)
    # two admins: one may disable the other ...
    disable_user(services, ADMIN, "bob")
    # ... but bob, acting on a session opened before (e.g. the web app), cannot then remove
    # ada, the only active admin left, by disabling or demoting her
    before = audit_count(services)
    with pytest.raises(StateError, match="last active admin"):
        disable_user(services, bob, ADMIN.username)
    with pytest.raises(StateError, match="last active admin"):
        set_role(services, bob, ADMIN.username, Role.OVERSIGHT)
    assert audit_count(services) == before
    ada = _user(services, ADMIN.username)
    assert ada.active and ada.role == Role.ADMIN.value
    # with a second active admin again, ada may be demoted
    enable_user(services, ADMIN, "bob")
    set_role(services, bob, ADMIN.username, Role.OVERSIGHT)
    assert _user(services, ADMIN.username).role == Role.OVERSIGHT.value


def test_bootstrap_admin_only_on_an_empty_users_table(services: Services) -> None:
    bootstrap_admin(services, "root.admin", NEW_PASSWORD)
    assert authenticate(services, "root.admin", NEW_PASSWORD) == Actor("root.admin", Role.ADMIN)
    (entry,) = audit_entries(services, "user.bootstrap")
    assert (entry.actor, entry.target) == ("system", "user:root.admin")
    before = audit_count(services)
    with pytest.raises(LfrError, match="users already exist"):
        bootstrap_admin(services, "second.admin", NEW_PASSWORD)
    assert audit_count(services) == before
    assert [u[0] for u in _users_table(services)] == ["root.admin"]


def test_bootstrap_admin_checks_the_password(services: Services) -> None:
    with pytest.raises(LfrError, match="password too short"):
        bootstrap_admin(services, "root.admin", "short")
    assert _users_table(services) == [] and audit_count(services) == 0


# --- authentication -------------------------------------------------------------------------------


def test_login_success_is_audited(services: Services) -> None:
    add_users(services)
    assert authenticate(services, FIELD.username, PASSWORD) == FIELD
    (entry,) = audit_entries(services, "auth.login")
    assert (entry.actor, entry.target) == (FIELD.username, f"user:{FIELD.username}")


def test_unknown_user_and_wrong_password_look_the_same(services: Services) -> None:
    add_users(services)
    messages = []
    for username, password in (("nobody", PASSWORD), (OPERATOR.username, "wrong password!!")):
        with pytest.raises(AuthenticationError) as caught:
            authenticate(services, username, password)
        messages.append(str(caught.value))
    assert messages == [WRONG_CREDENTIALS, WRONG_CREDENTIALS]
    assert caught.value.exit_code == 6


def test_failed_logins_are_counted_although_they_raise_and_audited_once_per_window(
    services: Services,
) -> None:
    add_users(services)
    clock = Clock(datetime(2026, 3, 1, 12, 1, tzinfo=UTC))
    services = dataclasses.replace(services, clock=clock)
    with pytest.raises(AuthenticationError):
        authenticate(services, OPERATOR.username, "wrong password!!")
    with pytest.raises(AuthenticationError):
        authenticate(services, "nobody", "whatever it is")
    with pytest.raises(AuthenticationError):
        authenticate(services, "Not A Name; maybe a password", "whatever it is")
    assert _user(services, OPERATOR.username).failed_logins == 1
    assert audit_entries(services, "auth.login_failed") == []  # not one entry per attempt
    assert audit_entries(services, AUDIT_ACTION) == []  # the window is not over yet

    clock.now += WINDOW
    assert close_windows(services) == 1
    (entry,) = audit_entries(services, AUDIT_ACTION)
    assert (entry.actor, entry.target) == ("system", "auth:login")
    assert entry.details == {
        "from": "2026-03-01T12:00:00+00:00",
        "to": "2026-03-01T12:05:00+00:00",
        "failures": 3,
        "reasons": {"wrong password": 1, "unknown user": 2},
        "accounts": {OPERATOR.username: 1},  # names that are not accounts are never kept
        "locked": [],
    }
    assert close_windows(services) == 0
    _chain_ok(services)


def test_lock_out_after_ten_failures_looks_like_a_wrong_password_and_ends_after_fifteen_minutes(
    services: Services,
) -> None:
    add_users(services)
    clock = Clock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    services = dataclasses.replace(services, clock=clock)
    for attempt in range(1, MAX_FAILED_LOGINS + 1):
        with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
            authenticate(services, OPERATOR.username, "wrong password!!")
        assert _user(services, OPERATOR.username).failed_logins == attempt
        clock.now += timedelta(seconds=20)
    user = _user(services, OPERATOR.username)
    assert user.locked_until == datetime(2026, 3, 1, 12, 3, tzinfo=UTC) + LOCKOUT

    # while locked even the right password is refused, with the answer of any wrong password
    clock.now = user.locked_until - timedelta(seconds=1)
    with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
        authenticate(services, OPERATOR.username, PASSWORD)
    assert _user(services, OPERATOR.username).locked_until == user.locked_until  # not extended

    clock.now += timedelta(seconds=1)  # 15 minutes after the lock
    assert authenticate(services, OPERATOR.username, PASSWORD) == OPERATOR
    user = _user(services, OPERATOR.username)
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert audit_entries(services, "auth.login_failed") == []
    close_windows(services, clock.now + WINDOW)
    windows = audit_entries(services, AUDIT_ACTION)
    assert [e.details["failures"] for e in windows] == [MAX_FAILED_LOGINS, 1]
    assert windows[0].details["locked"] == [OPERATOR.username]
    assert windows[1].details["reasons"] == {"locked": 1}
    _chain_ok(services)


def test_failures_after_a_lock_runs_out_count_afresh(services: Services) -> None:
    add_users(services)
    clock = Clock(datetime(2026, 3, 1, 23, 50, tzinfo=UTC))
    services = dataclasses.replace(services, clock=clock)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            authenticate(services, OPERATOR.username, "wrong password!!")
    clock.now += LOCKOUT
    with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
        authenticate(services, OPERATOR.username, "wrong password!!")
    user = _user(services, OPERATOR.username)
    assert (user.failed_logins, user.locked_until) == (1, None)


def test_a_success_resets_the_failure_count(services: Services) -> None:
    add_users(services)
    for _ in range(2):
        for _ in range(MAX_FAILED_LOGINS - 1):
            with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
                authenticate(services, OPERATOR.username, "wrong password!!")
        assert authenticate(services, OPERATOR.username, PASSWORD) == OPERATOR
        assert _user(services, OPERATOR.username).failed_logins == 0
    assert audit_entries(services, "auth.locked") == []


def test_enable_lifts_a_lock_out(services: Services) -> None:
    add_users(services)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            authenticate(services, OPERATOR.username, "wrong password!!")
    with pytest.raises(AuthenticationError, match=f"^{WRONG_CREDENTIALS}$"):
        authenticate(services, OPERATOR.username, PASSWORD)  # locked
    enable_user(services, ADMIN, OPERATOR.username)
    assert audit_entries(services, "user.enable")[0].details == {
        "was_active": True,
        "was_locked": True,
    }
    assert authenticate(services, OPERATOR.username, PASSWORD) == OPERATOR
    with pytest.raises(StateError, match="already enabled"):
        enable_user(services, ADMIN, OPERATOR.username)


@pytest.mark.real_password_hashing
def test_old_hash_parameters_are_upgraded_at_login(services: Services) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with services.transaction() as session:
        session.add(
            User(
                username="old.timer",
                password_hash=weak.hash(NEW_PASSWORD),
                role=Role.OPERATOR.value,
                created_at=services.clock(),
                created_by="test",
            )
        )
    assert needs_rehash(_user(services, "old.timer").password_hash)
    authenticate(services, "old.timer", NEW_PASSWORD)
    stored = _user(services, "old.timer").password_hash
    assert not needs_rehash(stored)
    assert audit_entries(services, "auth.login")[0].details == {"rehashed": True}
    assert authenticate(services, "old.timer", NEW_PASSWORD).username == "old.timer"
    assert _user(services, "old.timer").password_hash == stored  # not rehashed again


def test_change_password(services: Services) -> None:
    add_users(services)
    with pytest.raises(AuthenticationError, match=WRONG_CREDENTIALS):
        change_password(services, FIELD, "not my password", NEW_PASSWORD)
    assert _user(services, FIELD.username).failed_logins == 1  # counted as a failed login
    assert audit_entries(services, "auth.login_failed")[0].details["reason"] == "password change"
    with pytest.raises(LfrError, match="too short"):
        change_password(services, FIELD, PASSWORD, "short")
    with pytest.raises(LfrError, match="must differ"):
        change_password(services, FIELD, PASSWORD, PASSWORD)
    assert audit_entries(services, "user.password_change") == []

    change_password(services, FIELD, PASSWORD, NEW_PASSWORD)
    (entry,) = audit_entries(services, "user.password_change")
    assert (entry.actor, entry.target, entry.details) == ("fred", "user:fred", {})
    assert authenticate(services, FIELD.username, NEW_PASSWORD) == FIELD
    with pytest.raises(AuthenticationError):
        authenticate(services, FIELD.username, PASSWORD)
    _chain_ok(services)
