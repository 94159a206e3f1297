"""The control centre's side of the alerts stream: a durable consumer that stores each alert a
node raised through the idempotent intake (``alert_intake.store_alert``) and acknowledges it
only after the database committed it.

- stored, or already stored (a redelivery): acknowledged;
- refused for good (not proven to come from the node its subject names, about a camera that is
  not that node's, without both crops, malformed, deployment not live and the alert not late,
  no match): terminated, so it is never delivered again, and audited (``edge.message.refused``
  or the intake's no-match entry) without its content; the log names only the id;
- anything else (the database unreachable): not acknowledged; JetStream delivers it again.

The sender is the node the subject names, proven by its tag (``lfr.edge.centre.origin``), and
the subject's deployment must be the message's.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import numpy as np
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from sqlalchemy import select

from lfr.access.services import Services
from lfr.domain import Alert, Image, Subject
from lfr.edge import protocol as proto
from lfr.edge.centre.nodes import crop_key
from lfr.edge.centre.origin import audit_refused, proven_sender, require_own_camera
from lfr.edge.protocol import AlertMessage, ProtocolError
from lfr.edge.wire.alerts import open_crop
from lfr.errors import LfrError, NotFoundError
from lfr.governance.alerts.intake import store_alert
from lfr.imaging import decode_jpeg
from lfr.store.tables import Deployment, WatchlistEntry
from lfr.wipe import zero

log = logging.getLogger(__name__)

FETCH_BATCH = 32
FETCH_WAIT_S = 1.0
"""How long one pull waits for alerts: also how soon the loop notices it must stop."""


class Outcome(StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"
    REFUSED = "refused"
    RETRY = "retry"


@dataclass(frozen=True, slots=True)
class Stored:
    node: str
    deployment_id: int
    alert: Alert


OnStored = Callable[[Stored], None]


def take_alert(
    services: Services, subject: str, payload: bytes, headers: Mapping[str, str] | None = None
) -> tuple[Outcome, Stored]:
    """Store one alert from the stream (synchronous: it runs on a worker thread). Raises
    LfrError when the alert is refused for good; a refusal before the intake is audited
    here (the intake audits its own)."""
    try:
        node, message, alert = _checked_alert(services, subject, payload, headers)
    except LfrError as refusal:
        audit_refused(services, subject, refusal)
        raise
    try:
        stored = store_alert(services, message.deployment_id, alert, _raised_at(message.raised_at))
    finally:
        zero(alert.enrolled_jpeg)
    return (Outcome.STORED if stored else Outcome.DUPLICATE), Stored(
        node, message.deployment_id, alert
    )


def _checked_alert(
    services: Services, subject: str, payload: bytes, headers: Mapping[str, str] | None
) -> tuple[str, AlertMessage, Alert]:
    """The alert, once it is shown to come from the node its subject names, about one of that
    node's cameras in that deployment, with both crops opening under the key that node was
    given for that deployment."""
    sender = proven_sender(services, subject, payload, headers)
    node = sender.node
    message = proto.decode(AlertMessage, payload)
    if (
        sender.kind != "alert"
        or sender.rest != (str(message.deployment_id),)
        or message.node != node
    ):
        raise ProtocolError(f"alert {message.alert_id}: its subject {subject} is not its own")
    if not message.probe_crop_sealed or not message.enrolled_crop_sealed:
        raise ProtocolError(f"alert {message.alert_id} lacks a face crop: nobody could review it")
    require_own_camera(services, node, message.deployment_id, message.camera)
    return node, message, _alert(services, crop_key(services, node, message.deployment_id), message)


def _alert(services: Services, key: bytes, message: AlertMessage) -> Alert:
    enrolled = open_crop(key, message.enrolled_crop_sealed, message.alert_id, "enrolled")
    return Alert(
        id=message.alert_id,
        subject=_subject(services, message.deployment_id, message.subject_reference),
        distance=message.distance,
        score=message.score,
        threshold=message.threshold,
        camera=message.camera,
        time_s=message.time_s,
        frame=message.frame,
        track=message.track,
        probe_crop=_crop(key, message.probe_crop_sealed, message.alert_id, "probe"),
        enrolled_crop=decode_jpeg(enrolled),
        enrolled_jpeg=enrolled,  # stored as it came (the caller zeroes it)
        enrolled_image=message.enrolled_image,
        raised_at=_monotonic(message.raised_at),
        latency_s=message.latency_s,
    )


def _subject(services: Services, deployment_id: int, reference: str) -> Subject:
    """The person as the centre's watchlist has them (a node sends only the reference); the
    intake then checks they are on the deployment's snapshot."""
    with services.transaction() as session:
        deployment = session.get(Deployment, deployment_id)
        if deployment is None:
            raise NotFoundError(f"no deployment with id {deployment_id}")
        entry = session.scalar(
            select(WatchlistEntry).where(
                WatchlistEntry.watchlist_id == deployment.watchlist_id,
                WatchlistEntry.reference == reference,
            )
        )
        if entry is None:
            return Subject(reference, reference)  # store_alert refuses it as no match
        return Subject(
            entry.reference, entry.display_name, entry.category, entry.reason, entry.image_source
        )


def _raised_at(epoch_s: float) -> datetime | None:
    """The node's stamp as a time (None: unknown), for an alert delivered after the end."""
    return datetime.fromtimestamp(epoch_s, UTC) if epoch_s > 0 else None


def _monotonic(epoch_s: float) -> float:
    """A node's wall-clock stamp on this process's monotonic clock, as the engine stamps
    ``Alert.raised_at`` (0: unknown)."""
    if not epoch_s:
        return 0.0
    return time.monotonic() - max(0.0, time.time() - epoch_s)


def _crop(key: bytes, sealed: str, alert_id: str, name: str) -> Image:
    if not sealed:
        return np.empty((0, 0, 3), np.uint8)
    jpeg = open_crop(key, sealed, alert_id, name)
    try:
        return decode_jpeg(jpeg)
    finally:
        zero(jpeg)


async def handle(services: Services, msg: Msg, on_stored: OnStored | None = None) -> Outcome:
    """Store ``msg`` and settle it with the server (ack, term or nothing)."""
    try:
        outcome, stored = await asyncio.to_thread(
            take_alert, services, msg.subject, msg.data, msg.headers
        )
    except LfrError as exc:
        log.warning("alert on %s refused: %s", msg.subject, exc)
        await msg.term()
        return Outcome.REFUSED
    except Exception:
        log.exception("alert on %s not stored; it will be delivered again", msg.subject)
        await msg.nak(delay=1.0)
        return Outcome.RETRY
    await msg.ack()  # only now: the alert is committed
    if outcome is Outcome.STORED and on_stored is not None:
        try:
            on_stored(stored)
        except Exception:
            log.exception("alert %s stored, but not announced", stored.alert.id)
    return outcome


async def consume_alerts(
    js: JetStreamContext,
    services: Services,
    stop: asyncio.Event,
    on_stored: OnStored | None = None,
) -> None:
    """Pull alerts from the centre's durable consumer until ``stop`` is set."""
    subscription = await js.pull_subscribe_bind(proto.CENTRE_ALERTS_CONSUMER, proto.ALERTS_STREAM)
    try:
        while not stop.is_set():
            try:
                batch = await subscription.fetch(FETCH_BATCH, timeout=FETCH_WAIT_S)
            except TimeoutError:  # nats' own and asyncio's: no alert within the wait
                continue
            for msg in batch:
                await handle(services, msg, on_stored)
    finally:
        await subscription.unsubscribe()
