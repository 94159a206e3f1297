"""Sessions held in the database (``lfr.governance.accounts.sessions``): a logout is stored and
audited, and a new password, a new role or a disabled account revokes every session of that
user at once, in the same transaction as the change, and says so in its audit entry."""

from __future__ import annotations

from datetime import timedelta

from lfr.access.roles import Role
from lfr.access.services import Services
from lfr.governance.accounts import sessions as us
from lfr.governance.accounts.users import change_password, disable_user, set_role
from lfr.store.tables import AuthSession
from tests.gov.conftest import ADMIN, FIELD, OPERATOR
from tests.gov.factories import PASSWORD, add_users, audit_entries, count


def _open(services: Services, username: str, session_id: str, hours: float = 8) -> None:
    now = services.clock()
    us.open_session(services, username, session_id, "session", now, now + timedelta(hours=hours))


def _ended(services: Services, session_id: str) -> str:
    found = us.holder(services, session_id)
    assert found is not None
    return found.ended


def test_a_logout_is_stored_audited_and_only_once(services: Services) -> None:
    add_users(services)
    _open(services, OPERATOR.username, "s1")
    assert us.holder(services, "s1") == us.SessionHolder("olive", Role.OPERATOR, True, "")
    us.end_session(services, OPERATOR.username, "s1")
    us.end_session(services, OPERATOR.username, "s1")  # a second logout changes nothing
    us.end_session(services, FIELD.username, "s1")  # nor somebody else's
    assert _ended(services, "s1") == "logged out: log in again"
    (entry,) = audit_entries(services, "auth.logout")
    assert (entry.actor, entry.target, entry.details) == (
        "olive",
        "user:olive",
        {"kind": "session"},
    )
    assert us.holder(services, "never-issued") is None


def test_a_new_password_revokes_every_other_session_of_that_user_only(
    services: Services,
) -> None:
    add_users(services)
    for session_id in ("mine", "phone", "script"):
        _open(services, FIELD.username, session_id)
    _open(services, OPERATOR.username, "someone-else")
    revoked = change_password(
        services, FIELD, PASSWORD, "a new long pass phrase", keep_session="mine"
    )
    assert revoked == 2
    assert _ended(services, "mine") == ""
    for session_id in ("phone", "script"):
        assert _ended(services, session_id) == "the password was changed: log in again"
    assert _ended(services, "someone-else") == ""
    (entry,) = audit_entries(services, "user.password_change")
    assert entry.details == {"sessions_revoked": 2}


def test_a_new_role_or_disabling_revokes_every_session(services: Services) -> None:
    add_users(services)
    _open(services, OPERATOR.username, "olive-1")
    _open(services, OPERATOR.username, "olive-2")
    _open(services, FIELD.username, "fred-1")
    set_role(services, ADMIN, OPERATOR.username, Role.OVERSIGHT)
    assert {_ended(services, s) for s in ("olive-1", "olive-2")} == {
        "the account's role was changed: log in again"
    }
    assert audit_entries(services, "user.role")[0].details["sessions_revoked"] == 2
    disable_user(services, ADMIN, FIELD.username)
    assert _ended(services, "fred-1") == "this account is disabled or no longer exists"
    assert audit_entries(services, "user.disable")[0].details == {"sessions_revoked": 1}


def test_expired_sessions_are_deleted_as_new_ones_open(services: Services) -> None:
    add_users(services)
    _open(services, OPERATOR.username, "old", hours=-1)
    _open(services, OPERATOR.username, "current")
    assert count(services, AuthSession) == 1
    assert us.holder(services, "old") is None
