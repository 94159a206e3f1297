"""Two-person verification (EU AI Act Art. 14(5)): no action on an identification until two
trained people have verified it separately, the second without seeing the first's verdict.

Under a profile with ``TWO_PERSON_VERIFICATION`` the second verifier is mandatory unless the
policy records the legal basis that makes it disproportionate (Art. 14(5), second
subparagraph); a policy that switches it off without one is refused. Every verifier, first and
second, must hold a current training record (``User.training_until``).

Blind review: the first verdict (confirmed or false alert) is kept in ``AlertRow.first_verdict``
and both verdicts wait for the second verifier, so neither the status nor the view (who, what)
gives the first verdict away until the second has given theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.governance.law.policy import Policy
from lfr.governance.law.policy_service import is_blind
from lfr.governance.law.profiles import TWO_PERSON_VERIFICATION, Profile
from lfr.governance.states import AlertStatus
from lfr.store.tables import AlertRow, User


def second_verifier_required(policy: Policy, profile: Profile) -> bool:
    """The policy asks for one, or the profile does and no legal basis switched it off."""
    if policy.second_confirmer_required:
        return True
    return is_blind(profile) and not policy.second_verifier_off_legal_basis.strip()


def require_trained(session: Session, profile: Profile, username: str, now: datetime) -> None:
    """Refuse a verifier without a current training record, where the profile asks for one."""
    if not is_blind(profile):
        return
    until = session.scalar(select(User.training_until).where(User.username == username))
    if until is None:
        raise profile.refuse(
            TWO_PERSON_VERIFICATION, f"{username} has no training record: they cannot verify"
        )
    if until <= now:
        raise profile.refuse(
            TWO_PERSON_VERIFICATION,
            f"{username}'s training record expired on {until:%Y-%m-%d}: they cannot verify",
        )


def verdict_hidden(row: AlertRow, viewer: str | None) -> bool:
    """Is the first verdict (who, what) hidden from ``viewer``? It is while a blind second
    verdict is awaited, from everyone but the first verifier."""
    awaiting = row.status == AlertStatus.AWAITING_SECOND and row.first_verdict is not None
    return awaiting and viewer != row.adjudicated_by


def final_status(first_verdict: str | None, second_says_match: bool) -> AlertStatus:
    """A confirmed match needs both verifiers to say so; either one's "not a match" wins.
    Without a recorded first verdict the first verifier confirmed (the one-way flow)."""
    first_says_match = first_verdict in (None, AlertStatus.CONFIRMED)
    if first_says_match and second_says_match:
        return AlertStatus.CONFIRMED
    return AlertStatus.FALSE_ALERT
