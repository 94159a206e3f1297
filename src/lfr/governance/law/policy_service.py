"""Reading and changing the policy in force. Every change is a new stored version (the old ones
stay, so what was in force when is always known) and an audit entry naming what changed."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError, PolicyViolationError
from lfr.governance.law.policy import Policy
from lfr.governance.law.profiles import TWO_PERSON_VERIFICATION, Profile, profile_named
from lfr.store.tables import PolicyVersion


def policy_in_force(session: Session) -> Policy:
    """The policy in force: the newest stored version, or the defaults before any is set."""
    row = session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)).first()
    return Policy.model_validate(row.body) if row else Policy()


def profile_in_force(session: Session) -> Profile:
    """The jurisdiction profile of the policy in force."""
    return profile_named(policy_in_force(session).profile)


def current_policy(services: Services, actor: Actor) -> Policy:
    """The policy in force (the defaults until one is set)."""
    require(actor, Action.POLICY_READ)
    with services.transaction() as session:
        return policy_in_force(session)


def set_policy(services: Services, actor: Actor, policy: Policy) -> str:
    """Put ``policy`` in force as a new version; returns its digest."""
    require(actor, Action.POLICY_SET)
    # Re-validate: a caller may hand over a model built with model_construct (no checks).
    try:
        policy = Policy.model_validate(policy.model_dump(mode="json"))
    except ValidationError as exc:
        raise PolicyViolationError(f"invalid policy: {first_problem(exc)}") from None
    check_second_verifier_switch(policy)
    body = policy.model_dump(mode="json")
    digest = policy.digest()
    with services.transaction() as session:
        old = policy_in_force(session)
        old_body = old.model_dump(mode="json")
        row = PolicyVersion(
            body=body, digest=digest, created_at=services.clock(), created_by=actor.username
        )
        session.add(row)
        session.flush()
        services.record(
            session,
            actor.username,
            "policy.set",
            f"policy:{row.id}",
            {
                "old_digest": old.digest(),
                "new_digest": digest,
                "changed": changed_fields(old_body, body),
            },
        )
    return digest


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Top-level fields whose value differs, in a stable order."""
    return sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))


def load_policy_file(path: Path) -> Policy:
    """Read a policy from TOML (``.toml``) or JSON (anything else). Unknown keys and bad values
    are refused with the first problem on one line."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LfrError(f"cannot read policy file {path}: {first}") from None
    except RecursionError:  # both parsers recurse: "[[[[..." thousands deep
        raise LfrError(f"cannot read policy file {path}: nested too deeply") from None
    if not isinstance(data, dict):
        raise PolicyViolationError(f"policy file {path}: expected a table of settings")
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyViolationError(f"policy file {path}: {first_problem(exc)}") from None


def first_problem(exc: ValidationError) -> str:
    """The first validation error on one line, e.g. ``retention.alert_days: Input should be...``."""
    errors = exc.errors()
    detail = errors[0]
    where = ".".join(str(part) for part in detail["loc"]) or "policy"
    more = f" ({len(errors)} problems in all)" if len(errors) > 1 else ""
    message = " ".join(str(detail["msg"]).split())
    return f"{where}: {message}{more}"


def is_blind(profile: Profile) -> bool:
    """Does the profile ask for blind two-person verification?"""
    return profile.applies(TWO_PERSON_VERIFICATION)


def check_second_verifier_switch(policy: Policy) -> None:
    """Refuse a policy that switches the mandatory second verifier off without a legal basis."""
    profile = profile_named(policy.profile)
    if (
        is_blind(profile)
        and not policy.second_confirmer_required
        and not policy.second_verifier_off_legal_basis.strip()
    ):
        raise profile.refuse(
            TWO_PERSON_VERIFICATION,
            "the second verifier cannot be switched off under this profile without a recorded"
            " legal basis: set second_confirmer_required = true, or give"
            " second_verifier_off_legal_basis",
        )
