"""A node's alerts on the bus: crops sealed with the deployment's crop key (``wire.snapshot``),
published to the alerts stream under the engine's alert id (``Nats-Msg-Id``), so JetStream drops a
republished copy and the centre's idempotent intake drops any that gets past it."""

from __future__ import annotations

import base64
import os
import time

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.js import JetStreamContext
from nats.js.api import PubAck

from lfr.domain import Alert, Image
from lfr.edge import protocol as proto
from lfr.edge.protocol import AlertMessage
from lfr.edge.wire.mac import MAC_HEADER, message_mac
from lfr.errors import IntegrityError
from lfr.imaging import encode_jpeg_buffer
from lfr.wipe import zero

_NONCE = 12
MSG_ID_HEADER = "Nats-Msg-Id"


def seal_crop(key: bytes | bytearray, crop: Image, alert_id: str, name: str) -> str:
    """A crop as base64 AES-GCM ciphertext bound to its alert and picture ("" when empty)."""
    if crop.size == 0:
        return ""
    jpeg = encode_jpeg_buffer(np.ascontiguousarray(crop))
    try:
        return seal_jpeg(key, jpeg.data, alert_id, name)
    finally:
        zero(jpeg)


def seal_jpeg(
    key: bytes | bytearray, jpeg: bytes | bytearray | memoryview, alert_id: str, name: str
) -> str:
    """An encoded face as base64 AES-GCM ciphertext bound to its alert and picture."""
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, jpeg, _aad(alert_id, name))
    return base64.b64encode(nonce + sealed).decode()


def open_crop(key: bytes, sealed: str, alert_id: str, name: str) -> bytearray:
    """The JPEG of a sealed crop, in a buffer the caller zeroes once decoded; IntegrityError
    when the key, the alert or the bytes differ."""
    try:
        data = base64.b64decode(sealed, validate=True)
        jpeg = bytearray(max(0, len(data) - _NONCE - 16))
        AESGCM(key).decrypt_into(data[:_NONCE], data[_NONCE:], _aad(alert_id, name), jpeg)
        return jpeg
    except (InvalidTag, ValueError):
        raise IntegrityError(f"alert {alert_id}: its {name} crop does not open") from None


def alert_message(
    node: str, deployment_id: int, alert: Alert, key: bytes | bytearray
) -> AlertMessage:
    return AlertMessage(
        node=node,
        deployment_id=deployment_id,
        alert_id=alert.id,
        camera=alert.camera,
        subject_reference=alert.subject.reference,
        distance=float(alert.distance),
        score=float(alert.score),
        threshold=float(alert.threshold),
        time_s=float(alert.time_s),
        frame=int(alert.frame),
        track=int(alert.track),
        enrolled_image=alert.enrolled_image,
        raised_at=_wall_clock(alert.raised_at),
        latency_s=float(alert.latency_s),
        probe_crop_sealed=seal_crop(key, alert.probe_crop, alert.id, "probe"),
        enrolled_crop_sealed=(
            seal_jpeg(key, alert.enrolled_jpeg, alert.id, "enrolled")
            if alert.enrolled_jpeg
            else seal_crop(key, alert.enrolled_crop, alert.id, "enrolled")
        ),
    )


async def send_alert_up(
    js: JetStreamContext, message: AlertMessage, node_key: bytes, timeout: float = 5.0
) -> PubAck:
    """Stored by JetStream when this returns (a timeout raises: publish it again, same id),
    with the node's proof of origin."""
    subject = proto.alert_subject(message.node, message.deployment_id)
    payload = proto.encode(message)
    return await js.publish(
        subject,
        payload,
        timeout=timeout,
        headers={
            MSG_ID_HEADER: message.alert_id,
            MAC_HEADER: message_mac(node_key, subject, payload),
        },
    )


def _aad(alert_id: str, name: str) -> bytes:
    return f"edge-alert:{alert_id}:{name}".encode()


def _wall_clock(monotonic: float) -> float:
    """The engine stamps ``raised_at`` on this process's monotonic clock; another machine
    needs epoch seconds (both clocks NTP-synchronised, as the latency figures assume)."""
    if not monotonic:
        return 0.0
    return time.time() - max(0.0, time.monotonic() - monotonic)
