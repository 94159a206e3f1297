"""The demo content of ``lfr serve --demo``: accounts for every role, a watchlist with the
public-domain astronaut portrait, and a deployment whose camera is the built-in demo clip,
authorised by a different officer and signposted, ready for its operator to start; its operator
and field officer are assigned to it, so they see its alerts.

Idempotent: run again on the same data directory, it reuses what is there and only re-plans the
deployment once the last one is live, over or out of its window. It refuses a data directory
that holds a system which is not a demo (accounts but no demo credentials file).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.api.ports import FaceEnroller
from lfr.domain import Image, Subject
from lfr.errors import LfrError
from lfr.governance.accounts import users
from lfr.governance.deployments import assignments, lifecycle
from lfr.governance.deployments.plan import DeploymentPlan
from lfr.governance.law.policy_service import current_policy
from lfr.governance.records.site_settings import SiteSettings, read_site_settings, set_site_settings
from lfr.governance.states import DeploymentState
from lfr.governance.watchlists import entries as watchlists

CREDENTIALS_FILE = "demo-credentials.json"
WATCHLIST = "Demo watchlist"
DEPLOYMENT = "Demo: astronaut clip"
DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("olive", Role.OPERATOR, "plans, starts and runs the demo deployment; reviews alerts"),
    ("fred", Role.FIELD_OFFICER, "records what happened after an alert"),
    ("arthur", Role.AUTHORISING_OFFICER, "authorised the demo deployment"),
    ("beth", Role.AUTHORISING_OFFICER, "a second authorising officer"),
    ("wendy", Role.WATCHLIST_MANAGER, "manages the demo watchlist"),
    ("oscar", Role.OVERSIGHT, "reads records and the audit log, verifies the chain"),
    ("admin", Role.ADMIN, "manages accounts and the policy"),
    (
        "judith",
        Role.INDEPENDENT_AUTHORITY,
        "an independent authority outside the force: grants or refuses requests (EU profile)",
    ),
)


@dataclass(frozen=True)
class DemoSetup:
    credentials: dict[str, dict[str, str]]
    """username -> {"role", "password", "does"}"""
    watchlist_id: int
    deployment_id: int


def seed_demo(services: Services, enroller: FaceEnroller, portrait: Image) -> DemoSetup:
    credentials = _accounts(services)
    manager = _actor(credentials, Role.WATCHLIST_MANAGER)
    watchlist_id = _watchlist(services, manager, enroller, portrait)
    deployment_id = _deployment(services, credentials, watchlist_id)
    _assign_officers(services, credentials, deployment_id)
    _site(services, _actor(credentials, Role.ADMIN))
    return DemoSetup(credentials, watchlist_id, deployment_id)


def _site(services: Services, admin: Actor) -> None:
    """A made-up force, so the public page and posters show what a real force sets."""
    if read_site_settings(services) != SiteSettings():
        return  # the admin has set them: a restarted demo keeps them
    demo_force = SiteSettings(
        force_name="Demo Police Service (a made-up force)",
        contact="101, or ask the officers at the deployment",
        complaints="https://example.org/demo-complaints",
        time_zone="Europe/London",
    )
    set_site_settings(services, admin, demo_force)


def _accounts(services: Services) -> dict[str, dict[str, str]]:
    path = services.data_dir / CREDENTIALS_FILE
    if path.is_file():
        stored: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        return stored
    credentials = {
        name: {"role": role.value, "password": secrets.token_urlsafe(12), "does": does}
        for name, role, does in DEMO_USERS
    }
    try:
        users.bootstrap_admin(services, "admin", credentials["admin"]["password"])
    except LfrError:
        raise LfrError(
            f"{services.data_dir} already holds a system that is not a demo: give --demo an"
            " empty --data-dir"
        ) from None
    admin = Actor("admin", Role.ADMIN)
    for name, role, _ in DEMO_USERS:
        if name != "admin":
            users.create_user(services, admin, name, credentials[name]["password"], role)
    _write_secret(path, json.dumps(credentials, indent=1) + "\n")
    return credentials


def _watchlist(services: Services, manager: Actor, enroller: FaceEnroller, portrait: Image) -> int:
    found = [w for w in watchlists.list_watchlists(services, manager) if w.name == WATCHLIST]
    watchlist_id = (
        found[0].id if found else watchlists.create_watchlist(services, manager, WATCHLIST)
    )
    if found and found[0].active_entries:
        return watchlist_id
    policy = current_policy(services, manager)
    entries = watchlists.list_entries(services, manager, watchlist_id, include_inactive=True)
    reference = f"DEMO-{len(entries) + 1:04d}"
    subject = Subject(
        reference=reference,
        display_name="Eileen Collins (demo)",
        category=policy.categories[0],
        reason="demo only: a public-domain NASA portrait, not a wanted person",
        image_source="NASA portrait, public domain (scikit-image's astronaut)",
    )
    template = enroller.enrol_array(portrait, subject, f"{reference}/astronaut.png")
    expires = services.clock() + timedelta(days=min(30, policy.max_entry_days))
    watchlists.add_entry(services, manager, watchlist_id, subject, [template], expires)
    return watchlist_id


def _deployment(
    services: Services, credentials: dict[str, dict[str, str]], watchlist_id: int
) -> int:
    operator = _actor(credentials, Role.OPERATOR)
    now = services.clock()
    for view in reversed(lifecycle.list_deployments(services, operator)):
        if (
            view.name == DEPLOYMENT
            and view.state in (DeploymentState.DRAFT, DeploymentState.AUTHORISED)
            and view.starts_at <= now
            and view.ends_at > now + timedelta(hours=1)
        ):
            return view.id
    policy = current_policy(services, operator)
    plan = DeploymentPlan(
        name=DEPLOYMENT,
        purpose=policy.purposes[0],
        location_name="Demo Square",
        latitude=51.5007,
        longitude=-0.1246,
        area_description="A made-up place: the camera is the built-in demo clip",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=min(8, policy.max_deployment_hours) - 0.1),
        cameras={"demo": "demo"},
        watchlist_id=watchlist_id,
        threshold=policy.max_threshold,
        dpia_reference="DPIA-DEMO",
    )
    deployment_id = lifecycle.plan_deployment(services, operator, plan)
    lifecycle.authorise(
        services, _actor(credentials, Role.AUTHORISING_OFFICER), deployment_id, "demo"
    )
    lifecycle.confirm_signage(services, operator, deployment_id, "DEMO-SIGN-1")
    return deployment_id


def _assign_officers(
    services: Services, credentials: dict[str, dict[str, str]], deployment_id: int
) -> None:
    """The demo operator and field officer see the demo's alerts (need to know): assigned by
    the authorising officer, unless they already are."""
    supervisor = _actor(credentials, Role.AUTHORISING_OFFICER)
    listed = assignments.list_assignments(services, supervisor, deployment_id)
    assigned = {view.username for view in listed}
    for role in (Role.OPERATOR, Role.FIELD_OFFICER):
        officer = _actor(credentials, role)
        if officer.username not in assigned:
            assignments.assign(services, supervisor, deployment_id, officer.username)


def _actor(credentials: dict[str, dict[str, str]], role: Role) -> Actor:
    name = next(n for n, c in credentials.items() if c["role"] == role.value)
    return Actor(name, role)


def _write_secret(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
