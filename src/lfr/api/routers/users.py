"""Accounts (admins only), and changing one's own password."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from lfr.api.deps import CurrentActor, State, UserManager
from lfr.api.schemas.derive import many
from lfr.api.schemas.users import PasswordChange, RoleChange, UserCreate, UserPublic
from lfr.api.sessions import Claims
from lfr.errors import NotFoundError
from lfr.governance.accounts import users
from lfr.governance.accounts.users import UserView

router = APIRouter(prefix="/api/users", tags=["users"])


def _find(state: State, actor: UserManager, username: str) -> UserView:
    for view in users.list_users(state.services, actor):
        if view.username == username:
            return view
    raise NotFoundError(f"no user {username[:64]!r}")


@router.get("", response_model=many(UserPublic))
def list_users(actor: UserManager, state: State) -> list[UserView]:
    return users.list_users(state.services, actor)


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, actor: UserManager, state: State) -> UserView:
    users.create_user(state.services, actor, body.username, body.password, body.role)
    return _find(state, actor, body.username)


@router.post("/{username}/disable", response_model=UserPublic)
def disable_user(username: str, actor: UserManager, state: State) -> UserView:
    users.disable_user(state.services, actor, username)
    return _find(state, actor, username)


@router.post("/{username}/enable", response_model=UserPublic)
def enable_user(username: str, actor: UserManager, state: State) -> UserView:
    """Re-enable an account; also lifts a lock-out."""
    users.enable_user(state.services, actor, username)
    return _find(state, actor, username)


@router.put("/{username}/role", response_model=UserPublic)
def set_role(username: str, body: RoleChange, actor: UserManager, state: State) -> UserView:
    users.set_role(state.services, actor, username, body.role)
    return _find(state, actor, username)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(
    body: PasswordChange, actor: CurrentActor, request: Request, state: State
) -> Response:
    """Change one's own password: every other session and token of the account is revoked."""
    claims: Claims = request.state.claims
    users.change_password(
        state.services, actor, body.old_password, body.new_password, keep_session=claims.sid
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
