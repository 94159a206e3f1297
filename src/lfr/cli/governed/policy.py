"""``lfr policy show [--json]``, ``lfr policy set FILE``, ``lfr policy profile uk|eu-ai-act``
and ``lfr policy eu-registration NUMBER``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lfr.cli.common import acting, add_actor_args
from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import current_policy, load_policy_file, set_policy
from lfr.governance.law.profiles import ProfileName


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

    profile = sub.add_parser("profile", help="choose the jurisdiction profile (admin)")
    profile.add_argument("name", choices=[p.value for p in ProfileName])
    add_actor_args(profile)
    profile.set_defaults(handler=choose_profile_command)

    registration = sub.add_parser(
        "eu-registration", help="record the EU database registration number (Art. 49; admin)"
    )
    registration.add_argument("number")
    add_actor_args(registration)
    registration.set_defaults(handler=eu_registration_command)


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


def choose_profile_command(args: argparse.Namespace) -> int:
    from lfr.governance.law.profile_choice import choose_profile

    with acting(args) as (services, actor):
        profile, digest = choose_profile(services, actor, args.name)
    print(f"profile {profile.name.value} ({profile.title}) is in force (digest {digest[:16]})")
    for rule in profile.rules:
        print(f"  - {rule.source}: {rule.says}")
    return 0


def eu_registration_command(args: argparse.Namespace) -> int:
    from lfr.governance.law.profile_choice import set_eu_registration

    with acting(args) as (services, actor):
        digest = set_eu_registration(services, actor, args.number)
    print(f"EU database registration {args.number.strip()!r} recorded (digest {digest[:16]})")
    return 0


def format_policy(policy: Policy) -> str:
    retention = policy.retention
    cameras = policy.camera_sources
    lines = [
        f"policy digest {policy.digest()[:16]}",
        f"jurisdiction profile: {policy.profile}",
        "EU database registration: " + (policy.eu_database_registration or "not recorded"),
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
