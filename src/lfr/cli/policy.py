"""``lfr policy show [--json]`` and ``lfr policy set FILE``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lfr.cli.common import acting, add_actor_args
from lfr.governance.policy import Policy
from lfr.governance.policy_service import current_policy, load_policy_file, set_policy


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add this module's sub-commands to commands."""
    policy = commands.add_parser("policy", help="show or change the force's policy")
    sub = policy.add_subparsers(dest="policy_command", required=True, parser_class=type(policy))

    show = sub.add_parser("show", help="the policy in force")
    show.add_argument(
        "--json", action="store_true", help="print it as JSON (a file 'lfr policy set' reads)"
    )
    add_actor_args(show)
    show.set_defaults(handler=show_policy)

    change = sub.add_parser("set", help="put a policy file (TOML or JSON) in force (admin)")
    change.add_argument("file", type=Path, help="policy file; unknown keys are refused")
    add_actor_args(change)
    change.set_defaults(handler=set_policy_file)


def show_policy(args: argparse.Namespace) -> int:
    with acting(args) as (services, actor):
        policy = current_policy(services, actor)
    if args.json:
        print(json.dumps(policy.model_dump(mode="json"), indent=2))
    else:
        print(format_policy(policy))
    return 0


def set_policy_file(args: argparse.Namespace) -> int:
    policy = load_policy_file(args.file)  # a bad file fails before anyone is asked to log in
    with acting(args) as (services, actor):
        digest = set_policy(services, actor, policy)
    print(f"policy from {args.file} is in force (digest {digest[:16]})")
    return 0


def format_policy(policy: Policy) -> str:
    retention = policy.retention
    cameras = policy.camera_sources
    lines = [
        f"policy digest {policy.digest()[:16]}",
        "watchlist categories:",
        *(f"  - {category}" for category in policy.categories),
        "deployment purposes:",
        *(f"  - {purpose}" for purpose in policy.purposes),
        f"loosest match threshold (distance): {policy.max_threshold}",
        f"largest watchlist: {policy.max_watchlist_size} entries",
        f"longest watchlist entry: {policy.max_entry_days} days",
        f"longest deployment: {policy.max_deployment_hours} hours",
        "emergency start without prior authorisation: "
        + (
            f"allowed, to be authorised within {policy.emergency_authorisation_hours} hours"
            if policy.emergency_start_allowed
            else "not allowed"
        ),
        "second confirmer for each match: "
        + ("required" if policy.second_confirmer_required else "not required"),
        "retention:",
        f"  alert crops: {retention.alert_media_days} days",
        f"  alerts: {retention.alert_days} days",
        f"  watchlist snapshots: wiped at the end, at most {retention.snapshot_hours_after_end}"
        " hours after",
        "camera sources:",
        f"  stream schemes: {', '.join(cameras.allowed_schemes)}; files only in the media folder",
        f"  webcams: {'allowed' if cameras.webcams_allowed else 'not allowed'}",
        f"  at most {cameras.max_cameras} cameras a deployment",
    ]
    return "\n".join(lines)
