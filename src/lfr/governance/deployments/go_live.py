"""The conditions for going live, each named when it is missing so that an operator knows what
to do next: someone other than the planner authorised it (or the policy allows an emergency
start), signage is confirmed, the plan is within the policy, the window is open, and the
watchlist is within the policy (active entries with a reason, an image source, an enrolled face
of one embedding model, in allowed categories, not too many)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lfr.governance.deployments.authority_rules import independent_conditions
from lfr.governance.deployments.camera_nodes import (
    CANNOT_RUN,
    cameras_without_bus,
    node_names,
    unregistered_nodes,
)
from lfr.governance.deployments.camera_sources import camera_source_problems, shown_cameras
from lfr.governance.deployments.jurisdiction_checks import jurisdiction_conditions
from lfr.governance.deployments.plan import iso, plan_problems
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import policy_in_force
from lfr.governance.states import DeploymentState, may_move
from lfr.store.tables import Deployment, EntryImage, WatchlistEntry
from lfr.store.tables import Watchlist as WatchlistRow

_FEW = 5


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition for going live, in plain words, with why it does not hold (if it does not)."""

    name: str
    label: str
    problems: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        return not self.problems


def go_live_problems(
    session: Session,
    deployment: Deployment,
    now: datetime,
    *,
    media: Sequence[Path],
    emergency: bool = False,
    edge_bus: bool | None = None,
) -> list[str]:
    """Every reason ``deployment`` may not go live now (empty when it may). ``media``: the
    folders its cameras' local files may come from; ``edge_bus``: ``Services.edge_bus``."""
    checklist = go_live_checklist(
        session, deployment, now, media=media, emergency=emergency, edge_bus=edge_bus
    )
    return [problem for condition in checklist for problem in condition.problems]


def go_live_checklist(
    session: Session,
    deployment: Deployment,
    now: datetime,
    *,
    media: Sequence[Path],
    emergency: bool = False,
    edge_bus: bool | None = None,
) -> list[Condition]:
    """Every condition for going live, met or not, in the order an officer sees to them."""
    if not may_move(deployment.state, DeploymentState.LIVE):
        return [
            Condition(
                "state",
                "A draft or authorised deployment",
                (f"it is {deployment.state} (only a draft or authorised deployment can go live)",),
            )
        ]
    policy = policy_in_force(session)
    signage = [] if deployment.signage_confirmed_at is not None else ["signage not confirmed"]
    plan = plan_problems(
        policy, deployment.purpose, deployment.starts_at, deployment.ends_at, deployment.threshold
    )
    # Checked again: the policy may have changed since, or the row was planned before the rules.
    cameras = camera_source_problems(
        shown_cameras(deployment.cameras), policy.camera_sources, media
    )
    found = [
        ("authorised", _AUTHORISED, _authorisation_problems(deployment, policy, emergency)),
        ("signage", "Signage confirmed on site", signage),
        ("plan", "Purpose, window length and threshold within the policy", plan),
        ("window", "Its time window is open now", _window_problems(deployment, now)),
        ("cameras", "Cameras set, from sources the policy allows", cameras),
        ("watchlist", _WATCHLIST_VALID, _watchlist_problems(session, policy, deployment, now)),
    ]
    if node_names(deployment):  # shown only where a camera runs on an edge node
        nodes = unregistered_nodes(session, deployment)
        if edge_bus is False:  # served without --nats: nothing would start them
            nodes += cameras_without_bus(deployment, CANNOT_RUN)
        found.append(("nodes", _NODES, nodes))
    found += jurisdiction_conditions(session, policy, deployment, now)  # the profile's rules
    found += independent_conditions(session, policy, deployment, now, emergency)
    return [Condition(name, label, tuple(problems)) for name, label, problems in found]


_NODES = "Each camera's edge node registered, and reached over NATS"
_AUTHORISED = "Authorised by an authorising officer other than its planner"
_WATCHLIST_VALID = (
    "Watchlist valid: active entries, each with an allowed category, a reason, an image source"
    " and an enrolled face"
)


def _window_problems(deployment: Deployment, now: datetime) -> list[str]:
    if now < deployment.starts_at:
        return [f"its window has not started (it starts {iso(deployment.starts_at)})"]
    if now >= deployment.ends_at:
        return [f"its window has ended ({iso(deployment.ends_at)})"]
    return []


def _authorisation_problems(deployment: Deployment, policy: Policy, emergency: bool) -> list[str]:
    if deployment.authorised_by is None:
        if not emergency:
            return ["not authorised by an authorising officer"]
        if not policy.emergency_start_allowed:
            return ["not authorised, and the policy does not allow an emergency start"]
        return []
    # The authorise service refuses the planner already; checked again here so that a row
    # written any other way (an import, a hand edit) still cannot go live.
    if deployment.authorised_by == deployment.planner:
        return [
            f"authorised by its own planner ({deployment.planner}); someone else must authorise it"
        ]
    return []


def _is_active(watchlist_id: int, now: datetime) -> list[ColumnElement[bool]]:
    return [
        WatchlistEntry.watchlist_id == watchlist_id,
        WatchlistEntry.removed_at.is_(None),
        WatchlistEntry.expires_at > now,
    ]


def _watchlist_problems(
    session: Session, policy: Policy, deployment: Deployment, now: datetime
) -> list[str]:
    watchlist_id = deployment.watchlist_id
    watchlist = session.get(WatchlistRow, watchlist_id)
    label = f"watchlist {watchlist.name!r}" if watchlist else f"watchlist {watchlist_id}"
    entries = list(
        session.scalars(
            select(WatchlistEntry).where(*_is_active(watchlist_id, now)).order_by(WatchlistEntry.id)
        )
    )
    if not entries:
        return [f"{label} is empty (no active entries)"]
    # Which entries have an enrolled face, and with which model: no ciphertext is loaded.
    contracts: dict[int, set[str]] = {}
    for entry_id, contract in session.execute(
        select(EntryImage.entry_id, EntryImage.contract)
        .join(WatchlistEntry, WatchlistEntry.id == EntryImage.entry_id)
        .where(*_is_active(watchlist_id, now))
    ):
        contracts.setdefault(entry_id, set()).add(json.dumps(contract, sort_keys=True))
    problems = []
    if len(entries) > policy.max_watchlist_size:
        problems.append(
            f"{label} has {len(entries)} active entries, over the policy's limit of"
            f" {policy.max_watchlist_size}"
        )
    checks: list[tuple[str, Callable[[WatchlistEntry], bool]]] = [
        ("a category the policy does not allow", lambda e: e.category not in policy.categories),
        ("no reason recorded", lambda e: not e.reason.strip()),
        ("no image source recorded", lambda e: not e.image_source.strip()),
        ("no enrolled face", lambda e: e.id not in contracts),
    ]
    for what, bad in checks:
        found = [e.reference for e in entries if bad(e)]
        if found:
            problems.append(
                f"{len(found)} entr{'y has' if len(found) == 1 else 'ies have'} {what}"
                f" ({_few(found)})"
            )
    if len(set().union(*contracts.values())) > 1:
        problems.append(f"{label} mixes templates made by different embedding models")
    return problems


def _few(references: list[str]) -> str:
    shown = ", ".join(references[:_FEW])
    more = len(references) - _FEW
    return f"{shown} and {more} more" if more > 0 else shown
