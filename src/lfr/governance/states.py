"""One vocabulary for the states of deployments and alerts.

Both are ``StrEnum``s whose values are the strings stored in the database (``Deployment.state``,
``AlertRow.status``), shown on the pages and sent in the JSON, so a member compares equal to
the stored string and serialises as it.

A deployment moves only along ``TRANSITIONS``::

    draft -> authorised -> live -> ended
    draft -> live                      (an emergency start, before authorisation)
    draft | authorised -> cancelled

A retrospective authorisation of an emergency start changes who authorised it, not its state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from lfr.errors import StateError


class DeploymentState(StrEnum):
    DRAFT = "draft"
    AUTHORISED = "authorised"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


TRANSITIONS: Final[dict[DeploymentState, frozenset[DeploymentState]]] = {
    DeploymentState.DRAFT: frozenset(
        {DeploymentState.AUTHORISED, DeploymentState.LIVE, DeploymentState.CANCELLED}
    ),
    DeploymentState.AUTHORISED: frozenset({DeploymentState.LIVE, DeploymentState.CANCELLED}),
    DeploymentState.LIVE: frozenset({DeploymentState.ENDED}),
    DeploymentState.ENDED: frozenset(),
    DeploymentState.CANCELLED: frozenset(),
}
"""Every state a deployment may move to from each state; the lifecycle services use nothing
else to change a state."""


def may_move(current: str, target: DeploymentState) -> bool:
    """Whether a deployment in ``current`` (a stored state) may move to ``target``."""
    return target in TRANSITIONS[DeploymentState(current)]


def require_transition(current: str, target: DeploymentState) -> DeploymentState:
    """``target``, if a deployment in ``current`` may move there; else a StateError naming
    both states. The services check first, with a message that says what to do instead: this
    is the last guard, so no code path can skip the table."""
    if not may_move(current, target):
        raise StateError(f"a deployment cannot go from {current} to {target}")
    return target


class AlertStatus(StrEnum):
    """Where an alert stands in human review: pending, awaiting a second confirmer, or decided."""

    PENDING = "pending"
    AWAITING_SECOND = "awaiting_second"
    """Confirmed by one operator; the policy asks for a second, different one."""
    CONFIRMED = "confirmed"
    FALSE_ALERT = "false_alert"


AWAITING_REVIEW: Final[frozenset[AlertStatus]] = frozenset(
    {AlertStatus.PENDING, AlertStatus.AWAITING_SECOND}
)
"""Alerts an operator still has to decide on."""
ADJUDICATED: Final[frozenset[AlertStatus]] = frozenset(
    {AlertStatus.CONFIRMED, AlertStatus.FALSE_ALERT}
)
"""Alerts decided for good: the only ones an outcome can be recorded for."""


# Why a deployment ended, where the reason changes what is kept and published.
EMERGENCY_REFUSED: Final = "emergency start not authorised in time"
"""``end_reason`` of an emergency deployment whose alerts and counts were deleted."""
AUTHORITY_REFUSED: Final = "refused by the independent authority: use deleted"
CLOCK_EXPIRED: Final = "urgent start not authorised within 24 hours: use deleted"
DELETED_REASONS: Final = (AUTHORITY_REFUSED, CLOCK_EXPIRED)
"""``end_reason`` of a deployment whose use was deleted."""
