"""A deployment's watchlist snapshot on its way to an edge node: sealed (AES-GCM) with a fresh
key for that deployment only, and that key wrapped with the node's own key, so only that node
opens it and a leaked deployment key opens nothing else. It also carries the key the node seals
that deployment's alert crops with, so the node's long-lived key opens none of them.

The node opens it in memory only, into one buffer it owns: the descriptors and face images are
then copied into the watchlist's own buffers and the opened buffer is zeroed, and
``OpenedSnapshot.wipe`` zeroes the rest at the deployment's end (``lfr.wipe``).

The sealed body is binary, not text: ``u32`` header length, a JSON header (the contract, each
template's subject and image name, each face image's length), zero padding to 4 bytes, the
32-byte crop key, the ``float32`` descriptors row by row, then the face images end to end.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from dataclasses import asdict, dataclass

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import IntegrityError
from lfr.match.watchlist import Watchlist
from lfr.wipe import zero

_NONCE = 12
_TAG = 16
CROP_KEY_BYTES = 32
_LENGTH = struct.Struct("<I")


@dataclass(frozen=True, slots=True)
class SealedSnapshot:
    key_wrapped: str
    """The deployment's key sealed with the node's key (base64)."""
    snapshot_sealed: str
    """The templates and the crop key sealed with the deployment's key (base64)."""


@dataclass(frozen=True, slots=True)
class OpenedSnapshot:
    """What a node holds of a deployment while it runs, in buffers zeroed by ``wipe``."""

    watchlist: Watchlist
    crop_key: bytearray
    """Seals this deployment's alert crops; the centre derives the same key to open them."""

    def wipe(self) -> None:
        self.watchlist.wipe()
        zero(self.crop_key)


def seal_snapshot(
    node_key: bytes, node: str, deployment_id: int, watchlist: Watchlist, crop_key: bytes
) -> SealedSnapshot:
    deployment_key = AESGCM.generate_key(bit_length=256)
    body = _pack(watchlist, crop_key)
    try:
        return SealedSnapshot(
            _seal(node_key, deployment_key, _aad(node, deployment_id, "key")),
            _seal(deployment_key, body, _aad(node, deployment_id, "snapshot")),
        )
    finally:
        zero(body)


def open_snapshot(
    node_key: bytes, node: str, deployment_id: int, sealed: SealedSnapshot
) -> OpenedSnapshot:
    """The watchlist and crop key (in memory); IntegrityError when it was not sealed for this
    node and deployment, or was altered."""
    deployment_key = _open(node_key, sealed.key_wrapped, _aad(node, deployment_id, "key"))
    body = _open(deployment_key, sealed.snapshot_sealed, _aad(node, deployment_id, "snapshot"))
    try:
        return _unpack(body)
    except (ValueError, KeyError, TypeError, struct.error):
        raise IntegrityError("the snapshot opened but is not a snapshot") from None
    finally:
        zero(body, deployment_key)


def _pack(watchlist: Watchlist, crop_key: bytes) -> bytearray:
    templates = [watchlist.template(i) for i in range(watchlist.size)]
    header = json.dumps(
        {
            "contract": asdict(watchlist.contract),
            "subjects": [asdict(t.subject) for t in templates],
            "image_names": [t.image_name for t in templates],
            "jpeg_lengths": [len(t.face_jpeg) for t in templates],
        },
        separators=(",", ":"),
    ).encode()
    start = _aligned(_LENGTH.size + len(header))
    vectors = len(templates) * watchlist.contract.dimension * 4
    body = bytearray(start + CROP_KEY_BYTES + vectors + sum(len(t.face_jpeg) for t in templates))
    _LENGTH.pack_into(body, 0, len(header))
    body[_LENGTH.size : _LENGTH.size + len(header)] = header
    body[start : start + CROP_KEY_BYTES] = crop_key
    at = start + CROP_KEY_BYTES
    if templates:  # written in place: no intermediate copy of a descriptor is left behind
        rows = np.frombuffer(body, np.float32, vectors // 4, at).reshape(len(templates), -1)
        for row, template in zip(rows, templates, strict=True):
            row[:] = template.embedding
    at += vectors
    for template in templates:
        body[at : at + len(template.face_jpeg)] = template.face_jpeg
        at += len(template.face_jpeg)
    return body


def _unpack(body: bytearray) -> OpenedSnapshot:
    (length,) = _LENGTH.unpack_from(body, 0)
    header = json.loads(bytes(body[_LENGTH.size : _LENGTH.size + length]))
    contract = EmbeddingContract(**header["contract"])
    start = _aligned(_LENGTH.size + length)
    crop_key = body[start : start + CROP_KEY_BYTES]  # slicing a bytearray copies it once
    count = len(header["subjects"])
    at = start + CROP_KEY_BYTES
    rows = np.frombuffer(body, np.float32, count * contract.dimension, at)
    rows = rows.reshape(count, contract.dimension)
    at += rows.nbytes
    templates = []
    for i, (subject, name, size) in enumerate(
        zip(header["subjects"], header["image_names"], header["jpeg_lengths"], strict=True)
    ):
        templates.append(
            Template(
                subject=Subject(**subject),
                embedding=rows[i],  # a view: the watchlist stacks its own copy
                contract=contract,
                image_name=str(name),
                face_jpeg=body[at : at + int(size)],  # a bytearray of its own (one copy)
            )
        )
        at += int(size)
    if at != len(body):
        raise ValueError("the snapshot's parts do not add up to its length")
    return OpenedSnapshot(Watchlist.from_templates(contract, templates), crop_key)


def _aligned(offset: int) -> int:
    return (offset + 3) // 4 * 4


def _seal(key: bytes, plain: bytes | bytearray, aad: bytes) -> str:
    nonce = os.urandom(_NONCE)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, aad)).decode()


def _open(key: bytes | bytearray, sealed: str, aad: bytes) -> bytearray:
    try:
        data = base64.b64decode(sealed, validate=True)
        plain = bytearray(max(0, len(data) - _NONCE - _TAG))
        AESGCM(key).decrypt_into(data[:_NONCE], data[_NONCE:], aad, plain)
        return plain
    except (InvalidTag, ValueError):
        raise IntegrityError("the snapshot does not open with this node's key") from None


def _aad(node: str, deployment_id: int, what: str) -> bytes:
    return f"edge-snapshot:{node}:{int(deployment_id)}:{what}".encode()
