"""Admins: accounts and the policy (staff may read the policy)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lfr.access.roles import Role
from lfr.api.deps import CurrentActor, State, UserManager
from lfr.api.pages.common import render
from lfr.governance import users
from lfr.governance.policy_service import current_policy

router = APIRouter(include_in_schema=False)


@router.get("/users")
def users_page(request: Request, actor: UserManager, state: State) -> Response:
    return render(
        state,
        request,
        "users.html",
        {
            "title": "Users",
            "users": users.list_users(state.services, actor),
            "roles": [r.value for r in users.assignable_roles()],
        },
        actor,
    )


@router.get("/policy")
def policy_page(request: Request, actor: CurrentActor, state: State) -> Response:
    policy = current_policy(state.services, actor)
    return render(
        state,
        request,
        "policy.html",
        {
            "title": "Policy",
            "policy": policy,
            "policy_json": json.dumps(policy.model_dump(mode="json"), indent=2),
            "may_set": actor.role is Role.ADMIN,
        },
        actor,
    )
