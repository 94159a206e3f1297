"""Choosing the jurisdiction profile (``lfr policy profile``, the policy page) and recording the
EU database registration number: each a new policy version, audited as ``policy.set`` with what
changed, like any other policy change."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.governance.law.policy_service import current_policy, set_policy
from lfr.governance.law.profiles import TWO_PERSON_VERIFICATION, Profile, profile_named


def choose_profile(services: Services, actor: Actor, name: str) -> tuple[Profile, str]:
    """Put profile ``name`` in force; returns it and the new policy's digest. A profile that
    needs a second verifier switches it on unless a legal basis for its absence is recorded."""
    require(actor, Action.POLICY_SET)
    profile = profile_named(name)  # an unknown name is refused before anything is read
    policy = current_policy(services, actor)
    update: dict[str, object] = {"profile": profile.name.value}
    if profile.applies(TWO_PERSON_VERIFICATION) and not policy.second_verifier_off_legal_basis:
        # Art. 14(5): the profile needs the second verifier; switching it off needs a legal
        # basis recorded first. Without one, choosing the profile switches it on.
        update["second_confirmer_required"] = True
    digest = set_policy(services, actor, policy.model_copy(update=update))
    return profile, digest


def set_eu_registration(services: Services, actor: Actor, number: str) -> str:
    """Record the EU database registration number (EU AI Act Art. 49); returns the digest."""
    require(actor, Action.POLICY_SET)
    policy = current_policy(services, actor)
    return set_policy(
        services, actor, policy.model_copy(update={"eu_database_registration": number.strip()})
    )
