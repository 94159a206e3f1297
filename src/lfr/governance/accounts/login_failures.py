"""Failed logins, audited as one entry per window with their counts.

Anyone can try to log in, so a failed login must not cost an audit entry each: the log would
grow at an attacker's pace. Each failure is counted instead in the row of its fixed window
(``WINDOW`` long) - by reason, and by account where the name is an account - and once the
window is over the row becomes ONE signed audit entry, ``auth.login_failures``, and is deleted.
At most one entry per window, however many attempts; none for a quiet window.

Windows are closed at the next login attempt and by the schedule (once a minute in
``lfr serve``, or ``lfr deployment enforce``). The counts live in the database, so the command
line and every server process add to the same window, and a restart loses nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.store.tables import LoginFailureWindow

WINDOW = timedelta(minutes=5)
AUDIT_ACTION = "auth.login_failures"
AUDIT_TARGET = "auth:login"


def count_failure(
    session: Session,
    now: datetime,
    reason: str,
    account: str | None = None,
    locked: bool = False,
) -> None:
    """Count one failed login in its window, in the caller's transaction. ``account`` only when
    the name is an existing account (a name that is not may be a password typed in the wrong
    field); ``locked`` when this failure locked it."""
    number = _window_number(now)
    _ensure_window(session, number)
    row = session.get(LoginFailureWindow, number, with_for_update=True, populate_existing=True)
    assert row is not None  # inserted above, never deleted before its window is over
    details: dict[str, Any] = {
        "reasons": dict(row.details.get("reasons", {})),
        "accounts": dict(row.details.get("accounts", {})),
        "locked": list(row.details.get("locked", [])),
    }
    details["reasons"][reason] = details["reasons"].get(reason, 0) + 1
    if account is not None:
        details["accounts"][account] = details["accounts"].get(account, 0) + 1
        if locked and account not in details["locked"]:
            details["locked"].append(account)
    row.failures += 1
    row.details = details


def close_windows(services: Services, now: datetime | None = None) -> int:
    """Audit every window that is over as one ``auth.login_failures`` entry and delete its row;
    returns how many were audited. Safe to run concurrently: a row is audited by whichever
    transaction deletes it."""
    now = now or services.clock()
    with services.transaction() as session:
        over = session.scalars(
            select(LoginFailureWindow.id)
            .where(LoginFailureWindow.ends_at <= now)
            .order_by(LoginFailureWindow.id)
        ).all()
        audited = 0
        for number in over:
            taken = session.execute(
                delete(LoginFailureWindow)
                .where(LoginFailureWindow.id == number)
                .returning(
                    LoginFailureWindow.starts_at,
                    LoginFailureWindow.ends_at,
                    LoginFailureWindow.failures,
                    LoginFailureWindow.details,
                )
            ).first()
            if taken is None:  # another process audited it first
                continue
            services.record(
                session,
                "system",
                AUDIT_ACTION,
                AUDIT_TARGET,
                {
                    "from": taken.starts_at.isoformat(),
                    "to": taken.ends_at.isoformat(),
                    "failures": taken.failures,
                    **taken.details,
                },
            )
            audited += 1
        return audited


def _window_number(now: datetime) -> int:
    return int(now.timestamp() // WINDOW.total_seconds())


def _ensure_window(session: Session, number: int) -> None:
    """Insert the window's row unless it is there; concurrent first failures do not collide."""
    starts = datetime.fromtimestamp(number * WINDOW.total_seconds(), UTC)
    values = {
        "id": number,
        "starts_at": starts,
        "ends_at": starts + WINDOW,
        "failures": 0,
        "details": {},
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(LoginFailureWindow).values(**values).on_conflict_do_nothing()
        )
    elif dialect == "sqlite":
        session.execute(sqlite.insert(LoginFailureWindow).values(**values).on_conflict_do_nothing())
    elif session.get(LoginFailureWindow, number) is None:
        session.add(LoginFailureWindow(**values))
        session.flush()
