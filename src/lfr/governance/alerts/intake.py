"""Where the engine's alerts and counts enter the governed system.

An alert carries an id made where it was raised, so storing it is idempotent: a retried
delivery never becomes a second alert. Its probe crop and the enrolled crop are sealed
(AES-GCM, bound to the alert's id); the audit log names the subject reference, distance,
threshold and camera, never any biometric data. Alerts are accepted while the deployment is
live (or, raised inside its window by an edge node whose link was down, late: see
``lfr.governance.alerts.late_alerts``), and only at a threshold no looser than the one it was
authorised with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.audit.alerts import raised_details
from lfr.domain import Alert, Image
from lfr.errors import IntegrityError, LfrError, NotFoundError, PolicyViolationError, StateError
from lfr.governance.alerts.late_alerts import late_refusal, on_wiped_snapshot
from lfr.governance.records.published import add_late_alert, refresh_counts
from lfr.governance.states import EMERGENCY_REFUSED, AlertStatus, DeploymentState
from lfr.governance.watchlists.lookalikes import seal_alert_descriptor
from lfr.imaging import encode_jpeg_buffer
from lfr.store.crypto import DataCipher
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.sealing import seal_image
from lfr.store.tables import AlertRow, Deployment, SnapshotTemplate, WatchlistEntry
from lfr.wipe import zero

ENGINE_ACTOR = "engine"
REFUSED = "alert.refused"
"""Audit action of an alert refused at intake as no match: an integrity error."""
_THRESHOLD_SLACK = 1e-9


def engine_actor(camera: str) -> str:
    """The audit actor for what a camera's engine does: ``engine:<camera>``."""
    return f"{ENGINE_ACTOR}:{camera}"[:64]


def store_alert(
    services: Services, deployment_id: int, alert: Alert, raised_at: datetime | None = None
) -> bool:
    """Store ``alert`` for a live deployment; False if it was already stored (a retry).
    ``raised_at``: when it was raised (an edge node says), which lets an alert delivered after
    the deployment ended be stored late.

    Defence in depth: an alert that is no match (its distance above the threshold, or its
    subject not on the deployment's snapshot) is refused with IntegrityError, stored nowhere,
    and audited as an integrity error without its distance, subject or any biometric data."""
    if not 0 < len(alert.id) <= 36:
        raise LfrError(f"alert id must be 1-36 characters, got {len(alert.id)}")
    try:
        return _store(services, deployment_id, alert, raised_at)
    except _NotAMatchError as refusal:
        _audit_refusal(services, deployment_id, alert, refusal.reason)
        raise IntegrityError(
            f"alert {alert.id} refused: {refusal.reason}; nothing of it was stored"
        ) from None
    except DbIntegrityError:
        # A concurrent delivery of the same alert committed first.
        with services.transaction() as session:
            if session.get(AlertRow, alert.id) is not None:
                return False
        raise


def _when_raised(raised_at: datetime | None, now: datetime) -> datetime:
    """A node's own time for an alert it delivered late (officers see when it happened, not
    when the link came back); never later than now, whatever the node's clock says."""
    return now if raised_at is None else min(raised_at, now)


def _store(
    services: Services, deployment_id: int, alert: Alert, raised_at: datetime | None
) -> bool:
    with services.transaction() as session:
        existing = session.get(AlertRow, alert.id)
        if existing is not None:
            if existing.deployment_id != deployment_id:
                raise IntegrityError(
                    f"alert {alert.id} is already stored for deployment {existing.deployment_id}"
                )
            return False
        deployment = session.get(Deployment, deployment_id)
        if deployment is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        late = deployment.state != DeploymentState.LIVE
        if late and (why := late_refusal(session, deployment, raised_at, services.clock())):
            raise StateError(
                f"deployment {deployment_id} is {deployment.state}; alerts are accepted only"
                f" while it is live, or late if raised in its window ({why})"
            )
        if alert.threshold > deployment.threshold + _THRESHOLD_SLACK:
            raise PolicyViolationError(
                f"alert {alert.id} was raised at threshold {alert.threshold:g}, looser than"
                f" deployment {deployment_id}'s {deployment.threshold:g}"
            )
        refusal = _not_a_match(session, deployment, alert, late)
        if refusal is not None:
            raise _NotAMatchError(refusal)
        entry_id = session.scalar(
            select(WatchlistEntry.id).where(
                WatchlistEntry.watchlist_id == deployment.watchlist_id,
                WatchlistEntry.reference == alert.subject.reference,
            )
        )
        cipher = deployment_cipher(session, services.cipher, deployment_id)
        row = AlertRow(
            id=alert.id,
            deployment_id=deployment_id,
            camera=alert.camera[:100],
            entry_id=entry_id,
            subject_reference=alert.subject.reference,
            subject_name=alert.subject.display_name,
            category=alert.subject.category,
            reason=alert.subject.reason,
            distance=float(alert.distance),
            score=float(alert.score),
            threshold=float(alert.threshold),
            time_s=float(alert.time_s),
            frame=int(alert.frame),
            track=int(alert.track),
            raised_at=_when_raised(raised_at, services.clock()),
            enrolled_image=alert.enrolled_image[:300],
            probe_crop_enc=_seal_crop(cipher, alert.probe_crop, alert.id, "probe"),
            enrolled_crop_enc=(
                seal_image(cipher, alert.enrolled_jpeg, "alert", alert.id, "enrolled")
                if alert.enrolled_jpeg
                else _seal_crop(cipher, alert.enrolled_crop, alert.id, "enrolled")
            ),
            # A late alert keeps no descriptor: the end already wiped its deployment's.
            probe_descriptor_enc=(
                None if late else seal_alert_descriptor(cipher, alert.probe_descriptor, alert.id)
            ),
            status=AlertStatus.PENDING.value,
        )
        session.add(row)
        session.flush()
        services.record(
            session,
            engine_actor(alert.camera),
            "alert.raised",
            f"alert:{alert.id}",
            {
                "alert_id": alert.id,
                "deployment_id": deployment_id,
                "subject_reference": alert.subject.reference,
                "distance": round(float(alert.distance), 4),
                "threshold": float(alert.threshold),
                "camera": alert.camera,
                **raised_details(row),
                **({"delivered_late": True} if late else {}),
            },
        )
        if late:
            add_late_alert(session, deployment, services.clock())
        return True


class _NotAMatchError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _not_a_match(session: Session, deployment: Deployment, alert: Alert, late: bool) -> str | None:
    """Why ``alert`` is no match for this deployment (None when it is one). The engine never
    raises such an alert; this stops one that a fault or a forged delivery would. ``late``:
    the deployment ended and its snapshot is wiped; the references kept of it are checked."""
    threshold = min(float(alert.threshold), deployment.threshold) + _THRESHOLD_SLACK
    if not float(alert.distance) <= threshold:  # NaN is no match either
        return "its distance is above the threshold"
    if late:
        if on_wiped_snapshot(deployment, alert.subject.reference):
            return None
        return "its subject is not on the deployment's watchlist snapshot"
    on_snapshot = session.scalar(
        select(SnapshotTemplate.id)
        .join(WatchlistEntry, WatchlistEntry.id == SnapshotTemplate.entry_id)
        .where(
            SnapshotTemplate.deployment_id == deployment.id,
            WatchlistEntry.reference == alert.subject.reference,
        )
        .limit(1)
    )
    if on_snapshot is None:
        return "its subject is not on the deployment's watchlist snapshot"
    return None


def _audit_refusal(services: Services, deployment_id: int, alert: Alert, reason: str) -> None:
    """In a transaction of its own (the refused one wrote nothing): which alert, from which
    camera, and why; never the distance, the subject or a crop."""
    with services.transaction() as session:
        services.record(
            session,
            engine_actor(alert.camera),
            REFUSED,
            f"deployment:{deployment_id}",
            {
                "error": "integrity",
                "alert_id": alert.id,
                "camera": alert.camera[:100],
                "reason": reason,
            },
        )


def add_counts(
    services: Services,
    deployment_id: int,
    frames: int,
    face_detections: int,
    tracks: int,
    lookalikes_suppressed: int = 0,
) -> bool:
    """Add a run's counts (the only trace of the faces that did not match) to the deployment.

    Accepted while it is live and after it ended (a run stops a moment after its end), then
    its record's counts are updated; ignored (False) for a refused emergency start, whose counts
    were deleted."""
    counts: dict[str, Any] = {
        "frames": frames,
        "face_detections": face_detections,
        "tracks": tracks,
        "lookalikes_suppressed": lookalikes_suppressed,
    }
    if any(int(value) < 0 for value in counts.values()):
        raise LfrError(f"counts cannot be negative: {counts}")
    with services.transaction() as session:
        deployment = session.get(Deployment, deployment_id, with_for_update=True)
        if deployment is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        if deployment.state not in (DeploymentState.LIVE, DeploymentState.ENDED):
            raise StateError(
                f"deployment {deployment_id} is {deployment.state}; it has not been live"
            )
        if deployment.end_reason == EMERGENCY_REFUSED:
            return False
        session.execute(
            update(Deployment)
            .where(Deployment.id == deployment_id)
            .values(
                frames=Deployment.frames + int(frames),
                face_detections=Deployment.face_detections + int(face_detections),
                tracks=Deployment.tracks + int(tracks),
                lookalikes_suppressed=Deployment.lookalikes_suppressed + int(lookalikes_suppressed),
            )
        )
        session.refresh(deployment)
        services.record(
            session, ENGINE_ACTOR, "deployment.counts", f"deployment:{deployment_id}", counts
        )
        if deployment.state == DeploymentState.ENDED:
            refresh_counts(session, deployment, services.clock())
        return True


def _seal_crop(cipher: DataCipher, crop: Image, alert_id: str, name: str) -> bytes | None:
    if crop.size == 0:
        return None
    jpeg = encode_jpeg_buffer(np.ascontiguousarray(crop))
    try:
        return seal_image(cipher, jpeg.data, "alert", alert_id, name)
    finally:
        zero(jpeg)  # the crop of a watchlisted face: sealed, then no clear copy left
