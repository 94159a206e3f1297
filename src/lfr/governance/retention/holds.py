"""Evidential holds: an authorising officer keeps an alert and its media past the retention
purge while it is needed as evidence, with a reason; releasing the hold returns it to the
normal schedule. Both are audited."""

from __future__ import annotations

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError, StateError
from lfr.governance.alerts.adjudication import (
    MAX_NOTE,
    AlertView,
    alert_target,
    alert_view,
    clean_note,
    load_alert,
)


def hold(services: Services, actor: Actor, alert_id: str, reason: str) -> AlertView:
    """Evidential hold: the purge keeps this alert and its media until the hold is released."""
    require(actor, Action.ALERT_HOLD)
    reason = reason.strip()
    if not reason:
        raise LfrError("an evidential hold needs a reason")
    if len(reason) > MAX_NOTE:
        raise LfrError(f"reason too long: at most {MAX_NOTE} characters")
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id, for_update=True)
        if row.hold_reason is not None:
            raise StateError(f"alert {row.id} is already on hold (by {row.hold_by})")
        media = "purged" if row.media_purged_at is not None else "kept"
        row.hold_reason = reason
        row.hold_by = actor.username
        services.record(
            session,
            actor.username,
            "alert.hold",
            alert_target(row.id),
            {"deployment": row.deployment_id, "reason": reason, "media": media},
        )
        session.flush()
        return alert_view(row)


def release_hold(services: Services, actor: Actor, alert_id: str, note: str = "") -> AlertView:
    """End an evidential hold; the alert is then purged on the normal schedule."""
    require(actor, Action.ALERT_HOLD)
    note = clean_note(note)
    with services.transaction() as session:
        row = load_alert(session, actor, alert_id, for_update=True)
        if row.hold_reason is None:
            raise StateError(f"alert {row.id} is not on hold")
        details = {
            "deployment": row.deployment_id,
            "held_by": row.hold_by,
            "reason": row.hold_reason,
            "note": note,
        }
        row.hold_reason = None
        row.hold_by = None
        services.record(
            session, actor.username, "alert.hold.release", alert_target(row.id), details
        )
        session.flush()
        return alert_view(row)
