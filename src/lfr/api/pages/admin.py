"""Admins: accounts and the policy (staff may read the policy)."""

from __future__ import annotations

import json
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lfr.access.roles import Action, Actor, Role
from lfr.api.deps import CurrentActor, State, UserManager, allowed
from lfr.api.pages.common import render
from lfr.governance.accounts import users
from lfr.governance.law.policy_service import current_policy
from lfr.governance.law.profiles import PROFILES, profile_named
from lfr.governance.records.site_settings import read_site_settings

router = APIRouter(include_in_schema=False)
SettingsAdmin = Annotated[Actor, Depends(allowed(Action.POLICY_SET))]


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
            "profile": profile_named(policy.profile),
            "profiles": list(PROFILES.values()),
        },
        actor,
    )


@router.get("/settings")
def settings_page(request: Request, actor: SettingsAdmin, state: State) -> Response:
    """The force's name, contact, complaint address, public URL and time zone (admins)."""
    return render(
        state,
        request,
        "settings.html",
        {
            "title": "Site settings",
            "settings": read_site_settings(state.services),
            "zones": sorted(available_timezones()),
            "cli_public_url": state.config.public_url,
        },
        actor,
    )
