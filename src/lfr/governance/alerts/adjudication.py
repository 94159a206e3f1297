"""Human in the loop: every alert is reviewed by an operator before anyone acts on it, and what
happened next is recorded.

Lifecycle of an alert (``AlertRow.status``, an ``AlertStatus``)::

    pending --adjudicate(confirmed)--> confirmed
            --adjudicate(confirmed), policy asks for a second confirmer--> awaiting_second
            --adjudicate(false_alert)--> false_alert
    awaiting_second --second_confirm(agree) by a DIFFERENT operator--> confirmed
                    --second_confirm(disagree)------------------------> false_alert

A field officer then records the outcome (engaged, arrested, no action) of an adjudicated alert;
a false alert can still have been engaged (a false-alert engagement is a reported figure). An
authorising officer may put an alert on evidential hold (with a reason): the retention purge
keeps its media and row until the hold is released.

A decision or outcome made after the deployment ended updates its published record (in the
same transaction), unless the purge has already deleted some of its alerts.

Operators and field officers read, decide and record only the alerts of deployments they are
assigned to (``lfr.governance.deployments.assignments``); to anyone else such an alert does not
exist.

Every change runs in one transaction with its audit entry; a refusal writes nothing. Audit
details never hold biometric data (crops, templates) - only ids, decisions and notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError, NotFoundError, PermissionDeniedError, StateError
from lfr.governance.alerts.corroboration import require_corroboration
from lfr.governance.alerts.verification import (
    final_status,
    require_trained,
    second_verifier_required,
    verdict_hidden,
)
from lfr.governance.alerts.views import PICTURES, Picture, record_view, require_pictures_viewed
from lfr.governance.deployments.assignments import (
    assigned_deployments,
    is_assigned,
    require_assigned,
    sees_every_deployment,
)
from lfr.governance.law.policy_service import is_blind, policy_in_force, profile_in_force
from lfr.governance.records.published import publish_record
from lfr.governance.states import ADJUDICATED, AlertStatus, DeploymentState
from lfr.governance.watchlists.lookalikes import add_negative
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.sealing import open_image
from lfr.store.tables import AlertRow, Deployment, DeploymentRecord

Outcome = Literal["engaged", "arrested", "no_action"]

DECISIONS: Final[tuple[AlertStatus, ...]] = (AlertStatus.CONFIRMED, AlertStatus.FALSE_ALERT)
"""What an operator may decide about a pending alert."""
OUTCOMES: Final[tuple[str, ...]] = get_args(Outcome)
STATUSES: Final[tuple[AlertStatus, ...]] = tuple(AlertStatus)

MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class AlertView:
    """What a reviewer sees of an alert, without its crops (see ``alert_media``)."""

    id: str
    """The engine's stable alert id."""
    deployment_id: int
    camera: str
    entry_id: int | None
    subject_reference: str
    subject_name: str
    category: str
    reason: str
    distance: float
    score: float
    threshold: float
    time_s: float
    frame: int
    track: int
    raised_at: datetime
    enrolled_image: str
    status: AlertStatus
    adjudicated_by: str | None
    adjudicated_at: datetime | None
    second_confirmer: str | None
    outcome: str | None
    outcome_by: str | None
    outcome_at: datetime | None
    hold_reason: str | None
    hold_by: str | None
    media_purged_at: datetime | None
    has_media: bool
    location_name: str
    """Where the deployment runs (what a field officer needs to find the person)."""
    area_description: str
    deployment_ended: bool
    """Its deployment has ended (the alert may still be reviewed, but nobody is on site)."""
    blind_review: bool = False
    """A blind second verdict is awaited (``lfr.governance.alerts.verification``): the second
    verifier gives their own verdict, not agreement with a first they cannot see."""

    @property
    def on_hold(self) -> bool:
        """A hold keeps its media past the retention limit (``lfr.governance.retention.holds``)."""
        return self.hold_reason is not None


def alert_view(row: AlertRow, viewer: str | None = None) -> AlertView:
    """The alert as ``viewer`` may see it: while a blind second verdict is awaited, the first
    verdict (who, when) is hidden from all but the first verifier."""
    session = object_session(row)
    deployment = session.get(Deployment, row.deployment_id) if session is not None else None
    hidden = verdict_hidden(row, viewer)
    return AlertView(
        id=row.id,
        deployment_id=row.deployment_id,
        camera=row.camera,
        entry_id=row.entry_id,
        subject_reference=row.subject_reference,
        subject_name=row.subject_name,
        category=row.category,
        reason=row.reason,
        distance=row.distance,
        score=row.score,
        threshold=row.threshold,
        time_s=row.time_s,
        frame=row.frame,
        track=row.track,
        raised_at=row.raised_at,
        enrolled_image=row.enrolled_image,
        status=AlertStatus(row.status),
        adjudicated_by=None if hidden else row.adjudicated_by,
        adjudicated_at=None if hidden else row.adjudicated_at,
        second_confirmer=row.second_confirmer,
        outcome=row.outcome,
        outcome_by=row.outcome_by,
        outcome_at=row.outcome_at,
        hold_reason=row.hold_reason,
        hold_by=row.hold_by,
        media_purged_at=row.media_purged_at,
        has_media=row.probe_crop_enc is not None and row.enrolled_crop_enc is not None,
        location_name=deployment.location_name if deployment else "",
        area_description=deployment.area_description if deployment else "",
        deployment_ended=deployment is not None and deployment.state == DeploymentState.ENDED,
        blind_review=row.status == AlertStatus.AWAITING_SECOND and row.first_verdict is not None,
    )


def alert_target(alert_id: str) -> str:
    return f"alert:{alert_id}"


def load_alert(session: Session, actor: Actor, alert_id: str, for_update: bool = False) -> AlertRow:
    """The alert, if ``actor`` may know of it: an officer not assigned to its deployment gets
    the same NotFoundError as for an id that does not exist (need to know)."""
    row = session.get(AlertRow, alert_id, with_for_update=for_update)
    if row is None or not is_assigned(session, actor, row.deployment_id):
        raise NotFoundError(f"no alert {alert_id[:36]!r}")
    return row


def clean_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise LfrError(f"note too long: at most {MAX_NOTE} characters")
    return note


def refresh_record(session: Session, services: Services, row: AlertRow) -> bool:
    """A decision or outcome that comes after the deployment ended updates its published
    record (the figures must match the adjudications). Not once the purge has deleted some of
    its alerts: the record then holds counts the rows no longer can."""
    session.flush()
    deployment = session.get(Deployment, row.deployment_id)
    record = session.get(DeploymentRecord, row.deployment_id)
    if deployment is None or record is None or deployment.state != DeploymentState.ENDED:
        return False
    stored = session.scalar(
        select(func.count()).select_from(AlertRow).where(AlertRow.deployment_id == deployment.id)
    )
    if int(stored or 0) < int(record.body.get("alerts", 0)):
        return False
    publish_record(session, deployment, services.clock())
    return True


def get_alert(services: Services, actor: Actor, alert_id: str) -> AlertView:
    require(actor, Action.ALERT_READ)
    with services.transaction() as session:
        return alert_view(load_alert(session, actor, alert_id), actor.username)


def list_alerts(
    services: Services,
    actor: Actor,
    deployment_id: int | None = None,
    status: str | None = None,
) -> list[AlertView]:
    """Alerts, oldest first (the review queue order), optionally of one deployment or status;
    an officer's own only of the deployments they are assigned to."""
    require(actor, Action.ALERT_READ)
    if status is not None and status not in STATUSES:
        raise LfrError(f"unknown alert status {status!r}: one of {', '.join(STATUSES)}")
    query = select(AlertRow).order_by(AlertRow.raised_at, AlertRow.id)
    if deployment_id is not None:
        query = query.where(AlertRow.deployment_id == deployment_id)
    if status is not None:
        query = query.where(AlertRow.status == status)
    if not sees_every_deployment(actor):
        query = query.where(AlertRow.deployment_id.in_(assigned_deployments(actor)))
    with services.transaction() as session:
        if deployment_id is not None:
            require_assigned(session, actor, deployment_id)
        return [alert_view(row, actor.username) for row in session.scalars(query)]


def alert_media(
    services: Services,
    actor: Actor,
    alert_id: str,
    *,
    export_to: str | None = None,
    viewer_session: str | None = None,
) -> tuple[bytes, bytes] | None:
    """The probe crop and the enrolled image (JPEG) side by side, decrypted; None once purged.

    Each access is audited ("alert.media.viewed", or "alert.media.exported" with the
    destination when ``export_to`` names where the caller will write them). With
    ``viewer_session``, that login session is recorded as having seen both pictures."""
    require(actor, Action.ALERT_READ)
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id)
        if row.probe_crop_enc is None or row.enrolled_crop_enc is None:
            return None
        cipher = deployment_cipher(session, services.cipher, row.deployment_id)
        probe = open_image(cipher, row.probe_crop_enc, "alert", row.id, "probe")
        enrolled = open_image(cipher, row.enrolled_crop_enc, "alert", row.id, "enrolled")
        details: dict[str, object] = {"deployment": row.deployment_id}
        if export_to is None:
            action = "alert.media.viewed"
        else:
            action = "alert.media.exported"
            details["to"] = export_to
        services.record(session, actor.username, action, alert_target(row.id), details)
        for picture in PICTURES if viewer_session else ():
            record_view(session, str(viewer_session), row.id, picture, services.clock())
        return bytes(probe), bytes(enrolled)


def alert_picture(
    services: Services, actor: Actor, alert_id: str, picture: Picture, *, viewer_session: str
) -> bytes | None:
    """One picture of an alert (JPEG), decrypted for ``viewer_session``, which is recorded as
    having seen it; audited ("alert.media.viewed" with the picture). None once purged."""
    require(actor, Action.ALERT_READ)
    if picture not in PICTURES:
        raise LfrError(f"picture must be one of: {', '.join(PICTURES)}")
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id)
        sealed = row.probe_crop_enc if picture == "probe" else row.enrolled_crop_enc
        if sealed is None:
            return None
        cipher = deployment_cipher(session, services.cipher, row.deployment_id)
        jpeg = open_image(cipher, sealed, "alert", row.id, picture)
        details = {"deployment": row.deployment_id, "picture": picture}
        services.record(
            session, actor.username, "alert.media.viewed", alert_target(row.id), details
        )
        record_view(session, viewer_session, row.id, picture, services.clock())
        return bytes(jpeg)


def adjudicate(
    services: Services,
    actor: Actor,
    alert_id: str,
    decision: str,
    note: str = "",
    *,
    viewer_session: str | None = None,
) -> AlertView:
    """An operator's decision on a pending alert: a confirmed match or a false alert.

    Where the policy asks for a second confirmer, a confirmation waits ("awaiting_second")
    for a different operator (``second_confirm``); a false alert needs no second opinion.
    With ``viewer_session`` (the web app always gives it) the decision is refused until that
    login session has loaded both pictures of the alert (``lfr.governance.alerts.views``)."""
    require(actor, Action.ALERT_ADJUDICATE)
    if decision not in DECISIONS:
        raise LfrError(f"decision must be one of: {', '.join(DECISIONS)}")
    note = clean_note(note)
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id, for_update=True)
        if viewer_session is not None:
            require_pictures_viewed(session, viewer_session, row.id)
        if row.status != AlertStatus.PENDING:
            raise StateError(
                f"alert {row.id} is {row.status.replace('_', ' ')}, not pending:"
                " only a pending alert can be adjudicated"
            )
        profile = profile_in_force(session)
        require_trained(session, profile, actor.username, services.clock())
        second_needed = second_verifier_required(policy_in_force(session), profile)
        blind = second_needed and is_blind(profile)
        # Blind: every verdict waits, so the status does not tell the second what the first said.
        if blind or (second_needed and decision == AlertStatus.CONFIRMED):
            status = AlertStatus.AWAITING_SECOND
        else:
            status = AlertStatus(decision)
        row.status = status.value
        row.first_verdict = decision if blind else None
        row.adjudicated_by = actor.username
        row.adjudicated_at = services.clock()
        services.record(
            session,
            actor.username,
            "alert.adjudicate",
            alert_target(row.id),
            {
                "deployment": row.deployment_id,
                "decision": decision,
                "status": row.status,
                "note": note,
                "record_updated": refresh_record(session, services, row),
            },
        )
        add_negative(session, services, row, actor.username)  # "not this person"
        session.flush()
        return alert_view(row, actor.username)


def second_confirm(
    services: Services,
    actor: Actor,
    alert_id: str,
    agree: bool,
    note: str = "",
    *,
    viewer_session: str | None = None,
) -> AlertView:
    """A second operator, not the first, agrees (confirmed) or disagrees (false alert); with
    ``viewer_session``, only once that session has loaded both pictures (as ``adjudicate``).
    In blind review ``agree`` is the second's own verdict ("the same person"), and a match is
    confirmed only when both said so."""
    require(actor, Action.ALERT_ADJUDICATE)
    note = clean_note(note)
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id, for_update=True)
        if viewer_session is not None:
            require_pictures_viewed(session, viewer_session, row.id)
        if row.status != AlertStatus.AWAITING_SECOND:
            raise StateError(
                f"alert {row.id} is {row.status.replace('_', ' ')}:"
                " only a confirmation awaiting a second confirmer can be second-confirmed"
            )
        if row.adjudicated_by == actor.username:
            raise PermissionDeniedError(
                f"{actor.username} made the first confirmation of alert {row.id}:"
                " the second confirmer must be a different operator"
            )
        require_trained(session, profile_in_force(session), actor.username, services.clock())
        row.status = final_status(row.first_verdict, agree).value
        row.second_confirmer = actor.username
        services.record(
            session,
            actor.username,
            "alert.second_confirm",
            alert_target(row.id),
            {
                "deployment": row.deployment_id,
                "agree": agree,
                "first": row.adjudicated_by,
                "status": row.status,
                "note": note,
                "record_updated": refresh_record(session, services, row),
            },
        )
        add_negative(session, services, row, actor.username)  # "not this person"
        session.flush()
        return alert_view(row)


def record_outcome(
    services: Services, actor: Actor, alert_id: str, outcome: str, corroboration: str = ""
) -> AlertView:
    """What officers did about an adjudicated alert. Recorded once; it feeds the published
    figures (engagements, arrests, false-alert engagements). An arrest needs the corroboration
    used, written in (no arrest on the match alone)."""
    require(actor, Action.ALERT_OUTCOME)
    if outcome not in OUTCOMES:
        raise LfrError(f"outcome must be one of: {', '.join(OUTCOMES)}")
    corroboration = clean_note(corroboration)
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id, for_update=True)
        if row.status not in ADJUDICATED:
            raise StateError(
                f"alert {row.id} is {row.status.replace('_', ' ')}:"
                " an outcome can only be recorded once the alert is adjudicated"
            )
        if outcome == "arrested" and row.status == AlertStatus.FALSE_ALERT:
            raise StateError(
                f"alert {row.id} is a false alert: an arrest cannot be its outcome"
                " (record engaged or no action)"
            )
        if row.outcome is not None:
            raise StateError(
                f"alert {row.id} already has outcome {row.outcome!r} (recorded by {row.outcome_by})"
            )
        if outcome == "arrested":
            require_corroboration(profile_in_force(session), corroboration)
        row.outcome = outcome
        row.outcome_by = actor.username
        row.outcome_at = services.clock()
        row.outcome_corroboration = corroboration or None
        services.record(
            session,
            actor.username,
            "alert.outcome",
            alert_target(row.id),
            {
                "deployment": row.deployment_id,
                "outcome": outcome,
                "corroboration": corroboration,
                "status": row.status,
                "record_updated": refresh_record(session, services, row),
            },
        )
        session.flush()
        return alert_view(row)
