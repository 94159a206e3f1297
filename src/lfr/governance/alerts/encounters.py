"""Encounters: what happened on the ground, for every alert and for stops no alert caused.

A field officer records, for an alert, whether the person was stopped, when the encounter began
and ended, how identity was checked and the outcome; and, for a stop in the zone that no alert
caused (a person covering their face, say), the same with the reason. Published records count
people stopped, stop durations and arrests (``lfr.governance.records.published``).

Rules (``lfr.governance.law.profiles``): an arrest needs the corroboration used, written in
(``NO_ARREST_ON_MATCH_ALONE``); a stop longer than the profile's ``max_stop_minutes`` needs a
reason (``LONG_STOP_REASON``); under blind two-person verification no encounter is recorded for
an alert that two people have not yet verified (``TWO_PERSON_VERIFICATION``). A refusal writes
nothing. No biometric data is kept here, only the officer's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError, StateError
from lfr.governance.alerts.adjudication import alert_target, refresh_record
from lfr.governance.alerts.corroboration import (
    IDENTITY_CHECKS,
    describe_check,
    require_corroboration,
)
from lfr.governance.deployments.assignments import is_assigned, require_assigned
from lfr.governance.law.policy_service import profile_in_force
from lfr.governance.law.profiles import LONG_STOP_REASON, TWO_PERSON_VERIFICATION, Profile
from lfr.governance.records.figures import stop_minutes
from lfr.governance.states import ADJUDICATED, AlertStatus
from lfr.store.tables import AlertRow, Deployment, Encounter

ENCOUNTER_OUTCOMES: Final[tuple[str, ...]] = ("no_action", "engaged", "arrested")
"""The same words as an alert's outcome, which an alert's encounter also sets."""
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class EncounterForm:
    """What the officer writes in. ``alert_id`` None: a stop no alert caused (then
    ``deployment_id`` and ``reason`` are needed)."""

    stopped: bool
    started_at: datetime
    ended_at: datetime | None
    identity_check: str
    outcome: str
    identity_check_detail: str = ""
    reason: str = ""
    alert_id: str | None = None
    deployment_id: int | None = None


@dataclass(frozen=True, slots=True)
class EncounterView:
    id: int
    alert_id: str | None
    deployment_id: int
    officer: str
    stopped: bool
    started_at: datetime
    ended_at: datetime | None
    identity_check: str
    identity_check_detail: str
    outcome: str
    reason: str
    recorded_at: datetime

    @property
    def minutes(self) -> float | None:
        """How long the stop lasted, in minutes (None without an end)."""
        return stop_minutes(self.started_at, self.ended_at)


def encounter_view(row: Encounter) -> EncounterView:
    return EncounterView(
        id=row.id,
        alert_id=row.alert_id,
        deployment_id=row.deployment_id,
        officer=row.officer,
        stopped=row.stopped,
        started_at=row.started_at,
        ended_at=row.ended_at,
        identity_check=row.identity_check,
        identity_check_detail=row.identity_check_detail,
        outcome=row.outcome,
        reason=row.reason,
        recorded_at=row.recorded_at,
    )


def _text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise LfrError(f"{what} too long: at most {MAX_TEXT} characters")
    return value


def _check_form(form: EncounterForm) -> EncounterForm:
    """The form's own consistency (no database needed)."""
    if form.identity_check not in IDENTITY_CHECKS:
        raise LfrError(f"identity check must be one of: {', '.join(IDENTITY_CHECKS)}")
    if form.outcome not in ENCOUNTER_OUTCOMES:
        raise LfrError(f"outcome must be one of: {', '.join(ENCOUNTER_OUTCOMES)}")
    detail = _text(form.identity_check_detail, "identity check detail")
    reason = _text(form.reason, "reason")
    if form.identity_check == "other" and not detail:
        raise LfrError("an identity check of 'other' needs the check written in")
    if form.started_at.tzinfo is None or (form.ended_at and form.ended_at.tzinfo is None):
        raise LfrError("start and end times need a time zone")
    if form.ended_at is not None and form.ended_at < form.started_at:
        raise LfrError("an encounter cannot end before it started")
    if form.stopped and form.ended_at is None:
        raise LfrError("a stop needs its end time")
    if form.alert_id is None:
        if form.deployment_id is None:
            raise LfrError("a stop without an alert needs its deployment")
        if not form.stopped:
            raise LfrError("without an alert, only a stop is recorded")
        if not reason:
            raise LfrError("a stop without an alert needs the reason (e.g. covering their face)")
    if form.outcome == "arrested" and not form.stopped:
        raise LfrError("an arrest is a stop: record stopped")
    return EncounterForm(
        stopped=form.stopped,
        started_at=form.started_at,
        ended_at=form.ended_at,
        identity_check=form.identity_check,
        outcome=form.outcome,
        identity_check_detail=detail,
        reason=reason,
        alert_id=form.alert_id,
        deployment_id=form.deployment_id,
    )


def _corroboration(form: EncounterForm) -> str:
    """The corroboration the form gives ("" when identity was not checked)."""
    if form.identity_check == "none":
        return ""
    return describe_check(form.identity_check, form.identity_check_detail)


def _apply_profile(profile: Profile, form: EncounterForm) -> None:
    if form.outcome == "arrested":
        require_corroboration(profile, _corroboration(form))
    minutes = stop_minutes(form.started_at, form.ended_at)
    over = minutes is not None and minutes > profile.max_stop_minutes
    if form.stopped and over and profile.applies(LONG_STOP_REASON) and not form.reason:
        raise profile.refuse(
            LONG_STOP_REASON,
            f"this stop lasted {minutes:.0f} minutes, longer than {profile.max_stop_minutes}:"
            " write in the reason",
        )


def _alert_for(session: Session, actor: Actor, profile: Profile, alert_id: str) -> AlertRow:
    row = session.get(AlertRow, alert_id, with_for_update=True)
    if row is None or not is_assigned(session, actor, row.deployment_id):
        raise NotFoundError(f"no alert {alert_id[:36]!r}")
    if row.status not in ADJUDICATED:
        if profile.applies(TWO_PERSON_VERIFICATION):
            raise profile.refuse(
                TWO_PERSON_VERIFICATION,
                f"alert {row.id} is not yet verified by two people: no action on it yet",
            )
        raise StateError(f"alert {row.id} is not yet adjudicated: no action on it yet")
    if session.scalar(select(Encounter.id).where(Encounter.alert_id == row.id)) is not None:
        raise StateError(f"alert {row.id} already has its encounter recorded")
    return row


def _set_alert_outcome(row: AlertRow, form: EncounterForm, actor: Actor, now: datetime) -> bool:
    """The encounter is the alert's outcome too, unless one was recorded already; True when it
    is (the caller audits it as the alert's outcome)."""
    if form.outcome == "arrested" and row.status == AlertStatus.FALSE_ALERT:
        raise StateError(f"alert {row.id} is a false alert: an arrest cannot be its outcome")
    if row.outcome is not None:
        return False
    row.outcome = form.outcome
    row.outcome_by = actor.username
    row.outcome_at = now
    row.outcome_corroboration = _corroboration(form) or None
    return True


def record_encounter(services: Services, actor: Actor, form: EncounterForm) -> EncounterView:
    """Record an encounter (field officers of the deployment); refused, writing nothing, when a
    rule of the profile in force is not met."""
    require(actor, Action.ALERT_OUTCOME)
    form = _check_form(form)
    with services.transaction() as session:
        profile = profile_in_force(session)
        alert = None
        if form.alert_id is not None:
            alert = _alert_for(session, actor, profile, form.alert_id)
        deployment_id = alert.deployment_id if alert is not None else form.deployment_id
        assert deployment_id is not None  # _check_form: a stop without an alert names it
        if session.get(Deployment, deployment_id) is None:
            raise NotFoundError(f"no deployment {deployment_id}")
        require_assigned(session, actor, deployment_id)
        _apply_profile(profile, form)
        now = services.clock()
        row = Encounter(
            alert_id=form.alert_id,
            deployment_id=deployment_id,
            officer=actor.username,
            stopped=form.stopped,
            started_at=form.started_at,
            ended_at=form.ended_at,
            identity_check=form.identity_check,
            identity_check_detail=form.identity_check_detail,
            outcome=form.outcome,
            reason=form.reason,
            recorded_at=now,
        )
        session.add(row)
        outcome_set = alert is not None and _set_alert_outcome(alert, form, actor, now)
        session.flush()
        minutes = stop_minutes(form.started_at, form.ended_at)
        details: dict[str, object] = {
            "deployment": deployment_id,
            "alert": form.alert_id,
            "stopped": form.stopped,
            "minutes": None if minutes is None else round(minutes, 1),
            "identity_check": form.identity_check,
            "outcome": form.outcome,
            "profile": profile.name.value,
        }
        if alert is not None:
            details["record_updated"] = refresh_record(session, services, alert)
        services.record(session, actor.username, "encounter.record", f"encounter:{row.id}", details)
        if outcome_set and alert is not None:
            _audit_alert_outcome(services, session, actor, alert, row.id)
        return encounter_view(row)


def _audit_alert_outcome(
    services: Services, session: Session, actor: Actor, alert: AlertRow, encounter_id: int
) -> None:
    """The alert's outcome, as ``adjudication.record_outcome`` audits it: the audit log's story
    of each alert (``lfr audit verify``) reads outcomes from these entries, so an outcome set
    here without one read as tampering."""
    details: dict[str, object] = {
        "deployment": alert.deployment_id,
        "outcome": alert.outcome,
        "corroboration": alert.outcome_corroboration,
        "status": alert.status,
        "encounter": encounter_id,
    }
    services.record(session, actor.username, "alert.outcome", alert_target(alert.id), details)


def list_encounters(services: Services, actor: Actor, deployment_id: int) -> list[EncounterView]:
    """A deployment's encounters, in the order they began (its assigned officers, supervisors
    and oversight)."""
    require(actor, Action.ALERT_READ)
    query = (
        select(Encounter)
        .where(Encounter.deployment_id == deployment_id)
        .order_by(Encounter.started_at, Encounter.id)
    )
    with services.transaction() as session:
        require_assigned(session, actor, deployment_id)
        return [encounter_view(row) for row in session.scalars(query)]
