"""Who a session belongs to now: the account's current role, and whether it may still act."""

from __future__ import annotations

from sqlalchemy import select

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.api.sessions import SessionError
from lfr.store.tables import User


def current_account(services: Services, username: str) -> Actor:
    """The actor for a signed-in ``username``; SessionError if the account is gone or disabled
    (so disabling an account ends its sessions at once)."""
    with services.transaction() as session:
        row = session.execute(
            select(User.role, User.active).where(User.username == username)
        ).first()
    if row is None or not row.active:
        raise SessionError("this account is disabled or no longer exists")
    return Actor(username, Role(row.role))
