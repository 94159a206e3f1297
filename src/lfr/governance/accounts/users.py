"""People and their roles: accounts with argon2 password hashes, login with lock-out, and the
admin's user management.

Every function runs in one transaction: a refusal writes nothing, and each change is audited in
the same transaction as the change itself. The one exception is a failed login: its count (in
the account's row and in the window's, ``lfr.governance.accounts.login_failures``) is committed in
its
own transaction *before* ``AuthenticationError`` is raised, so a failed attempt can never be
rolled back out of the record; each window becomes one audit entry, so failed logins cannot
grow the log at an attacker's pace.

A new password, a new role or a disabled account revokes every session and token of that user
at once (``lfr.governance.accounts.sessions``), in the same transaction.

Passwords and password hashes never reach the audit log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, Role, require
from lfr.access.services import Services
from lfr.errors import AuthenticationError, LfrError, NotFoundError, StateError
from lfr.governance.accounts.login_failures import close_windows, count_failure
from lfr.governance.accounts.sessions import revoke_sessions
from lfr.store.tables import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
"""argon2 takes any length; a bound keeps one login from costing unbounded work."""
MAX_FAILED_LOGINS = 10
"""Consecutive wrong passwords that lock an account. The web app lets one client address try
at most 5 a name per window (``lfr.api.login_throttle``), so no single address can lock one."""
LOCKOUT = timedelta(minutes=15)
RESERVED_NAMES = frozenset({"system", "anonymous", "public"})
"""Names the audit log uses for actors that are not accounts."""
WRONG_CREDENTIALS = "wrong username or password"
ANONYMOUS = "anonymous"
"""The audit actor of a failed login: nobody has been authenticated."""

_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
_HASHER = PasswordHasher()


@dataclass(frozen=True, slots=True)
class UserView:
    """What may be shown about an account (never its password hash)."""

    username: str
    role: Role
    active: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str
    training_until: datetime | None = None
    """End of the current training record (a verifier needs one under the EU profile)."""


# --- passwords --------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a mismatch or a bad hash."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than the current hasher's."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("not a password anyone has: equalises the time of unknown names")


def check_username(username: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise LfrError(
            f"invalid username {username[:64]!r}: use 3-64 characters from a-z, 0-9, '.', '_', '-'"
        )
    if username in RESERVED_NAMES:
        raise LfrError(f"username {username!r} is reserved")


def check_password(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise LfrError(f"password too short: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise LfrError(f"password too long: at most {MAX_PASSWORD_LENGTH} characters")
    if username and password.strip().lower() == username.lower():
        raise LfrError("password must not be the username")


def _check_role(role: Role) -> None:
    if not isinstance(role, Role) or role is Role.SYSTEM:
        raise LfrError(f"role must be one of: {', '.join(r.value for r in assignable_roles())}")


def assignable_roles() -> list[Role]:
    """Roles an account may have (``system`` is the scheduler, never a person)."""
    return [role for role in Role if role is not Role.SYSTEM]


# --- queries ------------------------------------------------------------------------------------


def _target(username: str) -> str:
    return f"user:{username}"


def _find(session: Session, username: str, for_update: bool = False) -> User | None:
    if len(username) > 64:
        return None
    query = select(User).where(User.username == username)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def _get(session: Session, username: str) -> User:
    user = _find(session, username, for_update=True)
    if user is None:
        raise NotFoundError(f"no user {username[:64]!r}")
    return user


def _lock_active_admins(session: Session) -> list[str]:
    """The active admins' names. On PostgreSQL their rows stay locked (always in id order, and
    before any other user row, so two changes cannot deadlock) until the transaction ends: two
    concurrent changes cannot each remove what they think is the other's last admin."""
    query = select(User).where(User.role == Role.ADMIN.value, User.active.is_(True))
    return [u.username for u in session.scalars(query.order_by(User.id).with_for_update())]


def _refuse_if_last_admin(admins: list[str], user: User, what: str) -> None:
    if user.role == Role.ADMIN.value and user.active and admins == [user.username]:
        raise StateError(
            f"cannot {what} {user.username}: the last active admin (add or enable another first)"
        )


def _view(user: User) -> UserView:
    return UserView(
        username=user.username,
        role=Role(user.role),
        active=user.active,
        failed_logins=user.failed_logins,
        locked_until=user.locked_until,
        created_at=user.created_at,
        created_by=user.created_by,
        training_until=user.training_until,
    )


# --- user management ----------------------------------------------------------------------------


def _insert(
    session: Session, services: Services, username: str, password: str, role: Role, by: str
) -> None:
    if _find(session, username) is not None:
        raise LfrError(f"user {username} already exists")
    session.add(
        User(
            username=username,
            password_hash=hash_password(password),
            role=role.value,
            active=True,
            failed_logins=0,
            created_at=services.clock(),
            created_by=by,
        )
    )
    try:
        session.flush()
    except DbIntegrityError:
        raise LfrError(f"user {username} already exists") from None


def create_user(services: Services, actor: Actor, username: str, password: str, role: Role) -> None:
    require(actor, Action.USER_MANAGE)
    check_username(username)
    _check_role(role)
    check_password(password, username)
    with services.transaction() as session:
        _insert(session, services, username, password, role, actor.username)
        services.record(
            session, actor.username, "user.create", _target(username), {"role": role.value}
        )


def bootstrap_admin(services: Services, username: str, password: str) -> None:
    """Create the first admin; refused once any account exists."""
    check_username(username)
    check_password(password, username)
    with services.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("LOCK TABLE users IN EXCLUSIVE MODE"))
        if session.scalar(select(func.count()).select_from(User)):
            raise LfrError("users already exist: ask an admin to add accounts with 'lfr user add'")
        _insert(session, services, username, password, Role.ADMIN, "system")
        services.record(
            session, "system", "user.bootstrap", _target(username), {"role": Role.ADMIN.value}
        )


def disable_user(services: Services, actor: Actor, username: str) -> None:
    require(actor, Action.USER_MANAGE)
    if username == actor.username:
        raise StateError("you cannot disable your own account (ask another admin)")
    with services.transaction() as session:
        admins = _lock_active_admins(session)
        user = _get(session, username)
        if not user.active:
            raise StateError(f"user {username} is already disabled")
        _refuse_if_last_admin(admins, user, "disable")
        user.active = False
        revoked = revoke_sessions(session, services, username, "disabled")
        services.record(
            session, actor.username, "user.disable", _target(username), _revoked(revoked)
        )


def enable_user(services: Services, actor: Actor, username: str) -> None:
    """Re-enable an account; this also lifts a lock-out and clears the failure count."""
    require(actor, Action.USER_MANAGE)
    with services.transaction() as session:
        user = _get(session, username)
        locked = user.locked_until is not None and services.clock() < user.locked_until
        if user.active and not locked and user.failed_logins == 0:
            raise StateError(f"user {username} is already enabled and not locked")
        details = {"was_active": user.active, "was_locked": locked}
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        services.record(session, actor.username, "user.enable", _target(username), details)


def set_role(services: Services, actor: Actor, username: str, role: Role) -> None:
    require(actor, Action.USER_MANAGE)
    _check_role(role)
    if username == actor.username:
        raise StateError("you cannot change your own role (ask another admin)")
    with services.transaction() as session:
        admins = _lock_active_admins(session)
        user = _get(session, username)
        if user.role == role.value:
            raise StateError(f"user {username} already has role {role.value}")
        _refuse_if_last_admin(admins, user, "change the role of")
        details: dict[str, object] = {"from": user.role, "to": role.value}
        user.role = role.value
        details |= _revoked(revoke_sessions(session, services, username, "role"))
        services.record(session, actor.username, "user.role", _target(username), details)


def set_training(services: Services, actor: Actor, username: str, until: datetime) -> None:
    """Record that ``username`` holds a training record valid until ``until`` (EU AI Act
    Art. 14(5): verifiers need the necessary training)."""
    require(actor, Action.USER_MANAGE)
    if until.tzinfo is None:
        raise LfrError("a training record's end needs a time zone")
    with services.transaction() as session:
        user = _get(session, username)
        details = {"from": _iso_or_none(user.training_until), "until": until.isoformat()}
        user.training_until = until
        services.record(session, actor.username, "user.training", _target(username), details)


def _iso_or_none(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def list_users(services: Services, actor: Actor) -> list[UserView]:
    require(actor, Action.USER_MANAGE)
    with services.transaction() as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


# --- authentication ------------------------------------------------------------------------------


def _hhmm(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def _is_locked(user: User, now: datetime) -> bool:
    """Whether the account is locked now; a lock that has run out is lifted (a fresh count)."""
    if user.locked_until is None:
        return False
    if now < user.locked_until:
        return True
    user.locked_until = None
    user.failed_logins = 0
    return False


def _count_wrong_password(user: User, now: datetime) -> bool:
    """Count a wrong password; lock the account on the last allowed one. True if it locked."""
    user.failed_logins += 1
    if user.failed_logins < MAX_FAILED_LOGINS:
        return False
    user.locked_until = now + LOCKOUT
    return True


def _attempt(services: Services, session: Session, username: str, password: str) -> Actor | str:
    """One login attempt; returns the actor, or the message of the refusal.

    An unknown name, a wrong password and a locked account get the same message after the same
    work (one argon2 verification: against a dummy hash where there is no hash to try), so
    neither the answer nor its time tells whether a name is an account. Failures are counted
    per window (``login_failures``), never audited one by one."""
    now = services.clock()
    user = _find(session, username, for_update=True)
    if user is None:
        verify_password(_dummy_hash(), password)
        count_failure(session, now, "unknown user")
        return WRONG_CREDENTIALS
    if _is_locked(user, now):
        verify_password(_dummy_hash(), password)  # never the real hash: no guessing while locked
        count_failure(session, now, "locked", user.username)
        return WRONG_CREDENTIALS
    if not verify_password(user.password_hash, password):
        locked = _count_wrong_password(user, now)
        count_failure(session, now, "wrong password", user.username, locked=locked)
        return WRONG_CREDENTIALS
    if not user.active:  # only someone who knows the password learns this
        count_failure(session, now, "disabled", user.username)
        return "account disabled"
    details: dict[str, object] = {}
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        details["rehashed"] = True
    user.failed_logins = 0
    services.record(session, username, "auth.login", _target(username), details)
    return Actor(username, Role(user.role))


def authenticate(services: Services, username: str, password: str) -> Actor:
    """The actor for these credentials, or ``AuthenticationError``.

    An unknown name, a wrong password and a locked account get the same message. Each failure
    is counted (committed before the error is raised) in its window, which becomes one audit
    entry once over; after ``MAX_FAILED_LOGINS`` consecutive wrong passwords the account is
    locked for ``LOCKOUT``; a success resets the count."""
    close_windows(services)
    with services.transaction() as session:
        outcome = _attempt(services, session, username, password)
    if isinstance(outcome, str):
        raise AuthenticationError(outcome)
    return outcome


def change_password(
    services: Services, actor: Actor, old: str, new: str, *, keep_session: str | None = None
) -> int:
    """The actor changes their own password. Every session and token of theirs is revoked but
    ``keep_session`` (the one asking, on the web); returns how many. A wrong old password
    counts as a failed login."""
    check_password(new, actor.username)
    if new == old:
        raise LfrError("the new password must differ from the old one")
    with services.transaction() as session:
        outcome = _replace_password(services, session, actor.username, old, new, keep_session)
    if isinstance(outcome, str):
        raise AuthenticationError(outcome)
    return outcome


def _replace_password(
    services: Services,
    session: Session,
    username: str,
    old: str,
    new: str,
    keep_session: str | None,
) -> int | str:
    """Set the new password and revoke the other sessions (returns how many), or return why not
    (the failure is audited and counted: the actor is signed in, so it is theirs)."""
    user = _find(session, username, for_update=True)
    if user is None or not user.active:
        raise AuthenticationError(f"no active account {username!r}")
    now = services.clock()
    if _is_locked(user, now):
        assert user.locked_until is not None
        return f"account locked until {_hhmm(user.locked_until)}"
    if not verify_password(user.password_hash, old):
        return _password_change_refused(services, session, user, now)
    user.password_hash = hash_password(new)
    user.failed_logins = 0
    revoked = revoke_sessions(session, services, username, "password", keep=keep_session)
    services.record(session, username, "user.password_change", _target(username), _revoked(revoked))
    return revoked


def _password_change_refused(
    services: Services, session: Session, user: User, now: datetime
) -> str:
    locked = _count_wrong_password(user, now)
    details: dict[str, object] = {"reason": "password change", "failed_logins": user.failed_logins}
    services.record(session, ANONYMOUS, "auth.login_failed", _target(user.username), details)
    if not locked:
        return WRONG_CREDENTIALS
    assert user.locked_until is not None
    until = user.locked_until.isoformat()
    services.record(
        session, "system", "auth.locked", _target(user.username), {"until": until, **details}
    )
    return f"{WRONG_CREDENTIALS}; account locked until {_hhmm(user.locked_until)}"


def _revoked(count: int) -> dict[str, object]:
    """Audit details: how many sessions a change revoked (nothing when none)."""
    return {"sessions_revoked": count} if count else {}
