"""Not this person: an alert an operator rejects becomes a lookalike negative for its subject,
so the same face does not alert again for that subject while the deployment is live.

The alert's probe descriptor is kept (sealed) with the alert from intake while its deployment
is live; a false-alert decision copies it, re-sealed for the deployment, into
``lookalike_negatives``; the running cameras pick it up at their next state check
(``lfr.runtime.deployment``) and apply the rule of ``lfr.match.negatives``. Ending the
deployment wipes the negatives and every alert's descriptor with the snapshot. Audit entries
name the alert and the subject reference, never a descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from lfr.access.services import Services
from lfr.domain import Vector
from lfr.governance.states import AlertStatus, DeploymentState
from lfr.match.negatives import Negative
from lfr.store.crypto import DataCipher
from lfr.store.deployment_keys import deployment_cipher
from lfr.store.sealing import open_vector, seal_vector
from lfr.store.tables import AlertRow, Deployment, LookalikeNegative

NEGATIVE_KIND = "negative"
ADDED = "alert.negative_added"


def seal_alert_descriptor(
    cipher: DataCipher, descriptor: Vector | None, alert_id: str
) -> bytes | None:
    """The alert's probe descriptor as stored with the alert (None when it came without one)."""
    if descriptor is None:
        return None
    return seal_vector(cipher, descriptor, "alert", alert_id, "probe")


def add_negative(session: Session, services: Services, row: AlertRow, actor_name: str) -> bool:
    """In the caller's transaction, after a decision on ``row``: if it is now a false alert,
    keep its probe descriptor as a negative for its subject and audit it. False (nothing kept)
    for any other status, an alert without a descriptor (raised before revision 0006, or
    wiped) or a deployment no longer live."""
    if row.status != AlertStatus.FALSE_ALERT:
        return False
    deployment = session.get(Deployment, row.deployment_id)
    if (
        row.probe_descriptor_enc is None
        or deployment is None
        or deployment.state != DeploymentState.LIVE
    ):
        return False
    if session.scalar(select(LookalikeNegative.id).where(LookalikeNegative.alert_id == row.id)):
        return False
    cipher = deployment_cipher(session, services.cipher, row.deployment_id)
    descriptor = open_vector(cipher, row.probe_descriptor_enc, "alert", row.id, "probe")
    session.add(
        LookalikeNegative(
            deployment_id=row.deployment_id,
            alert_id=row.id,
            subject_reference=row.subject_reference,
            descriptor_enc=_seal(cipher, descriptor, row.deployment_id, row.id),
            added_at=services.clock(),
            added_by=actor_name,
        )
    )
    session.flush()
    services.record(
        session,
        actor_name,
        ADDED,
        f"alert:{row.id}",
        {"deployment": row.deployment_id, "subject_reference": row.subject_reference},
    )
    return True


def negatives_after(services: Services, deployment_id: int, after_id: int) -> list[Negative]:
    """The deployment's negatives with an id above ``after_id``, opened, oldest first."""
    with services.transaction() as session:
        rows = session.scalars(
            select(LookalikeNegative)
            .where(
                LookalikeNegative.deployment_id == deployment_id,
                LookalikeNegative.id > after_id,
            )
            .order_by(LookalikeNegative.id)
        )
        cipher = deployment_cipher(session, services.cipher, deployment_id)
        return [
            Negative(
                id=row.id,
                subject_reference=row.subject_reference,
                descriptor=open_vector(
                    cipher,
                    row.descriptor_enc,
                    NEGATIVE_KIND,
                    str(deployment_id),
                    row.alert_id,
                ),
            )
            for row in rows
        ]


@dataclass(frozen=True, slots=True)
class LookalikesWiped:
    negatives: int
    alert_descriptors: int


def wipe_lookalikes(session: Session, deployment_ids: tuple[int, ...]) -> LookalikesWiped:
    """Delete the negatives and the alerts' descriptors of these deployments (the caller
    audits); with the snapshot, when a deployment ends or the purge finds a stale one."""
    if not deployment_ids:
        return LookalikesWiped(0, 0)
    negatives = session.execute(
        delete(LookalikeNegative).where(LookalikeNegative.deployment_id.in_(deployment_ids))
    )
    descriptors = session.execute(
        update(AlertRow)
        .where(
            AlertRow.deployment_id.in_(deployment_ids), AlertRow.probe_descriptor_enc.is_not(None)
        )
        .values(probe_descriptor_enc=None)
    )
    session.flush()
    return LookalikesWiped(_count(negatives), _count(descriptors))


def _seal(cipher: DataCipher, descriptor: Vector, deployment_id: int, alert_id: str) -> bytes:
    return seal_vector(cipher, descriptor, NEGATIVE_KIND, str(deployment_id), alert_id)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
