"""No arrest on the match alone (EU AI Act Art. 5(3), last sentence; the Detroit policy): an
arrest is recorded only with the independent corroboration the officer used, written in."""

from __future__ import annotations

from typing import Final

from lfr.governance.law.profiles import NO_ARREST_ON_MATCH_ALONE, Profile

IDENTITY_CHECKS: Final[dict[str, str]] = {
    "none": "identity not checked",
    "identity_document": "identity document",
    "police_database": "police database check",
    "officer_knowledge": "officer's own knowledge",
    "other": "other (written in)",
}
"""How identity was checked on the ground (the keys are stored)."""


def require_corroboration(profile: Profile, corroboration: str) -> None:
    """Refuse an arrest recorded without the corroboration used, where the profile asks."""
    if profile.applies(NO_ARREST_ON_MATCH_ALONE) and not corroboration.strip():
        raise profile.refuse(
            NO_ARREST_ON_MATCH_ALONE,
            "an arrest cannot be recorded on the match alone: write in the corroboration used"
            " (identity document, police database check, officer's own knowledge, or other)",
        )


def describe_check(identity_check: str, detail: str) -> str:
    """The corroboration in words, as stored with an arrest: "police database check: PNC"."""
    label = IDENTITY_CHECKS.get(identity_check, identity_check)
    return f"{label}: {detail.strip()}" if detail.strip() else label
