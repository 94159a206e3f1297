"""A deployment's watchlist snapshot on its way to an edge node: sealed (AES-GCM) with a fresh
key for that deployment only, and that key wrapped with the node's own key, so only that node
opens it and a leaked deployment key opens nothing else. The node opens it in memory only.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lfr.domain import EmbeddingContract, Subject, Template
from lfr.errors import IntegrityError
from lfr.match.watchlist import Watchlist

_NONCE = 12


@dataclass(frozen=True, slots=True)
class SealedSnapshot:
    key_wrapped: str
    """The deployment's key sealed with the node's key (base64)."""
    snapshot_sealed: str
    """The templates sealed with the deployment's key (base64)."""


def seal_snapshot(
    node_key: bytes, node: str, deployment_id: int, watchlist: Watchlist
) -> SealedSnapshot:
    deployment_key = AESGCM.generate_key(bit_length=256)
    body = json.dumps(_as_json(watchlist), separators=(",", ":")).encode()
    return SealedSnapshot(
        _seal(node_key, deployment_key, _aad(node, deployment_id, "key")),
        _seal(deployment_key, body, _aad(node, deployment_id, "snapshot")),
    )


def open_snapshot(
    node_key: bytes, node: str, deployment_id: int, sealed: SealedSnapshot
) -> Watchlist:
    """The watchlist (in memory); IntegrityError when it was not sealed for this node and
    deployment, or was altered."""
    deployment_key = _open(node_key, sealed.key_wrapped, _aad(node, deployment_id, "key"))
    body = _open(deployment_key, sealed.snapshot_sealed, _aad(node, deployment_id, "snapshot"))
    return _from_json(json.loads(body))


def _as_json(watchlist: Watchlist) -> dict[str, object]:
    templates = [watchlist.template(i) for i in range(watchlist.size)]
    return {
        "contract": asdict(watchlist.contract),
        "templates": [
            {
                "subject": asdict(t.subject),
                "image_name": t.image_name,
                "embedding": base64.b64encode(
                    np.asarray(t.embedding, np.float32).tobytes()
                ).decode(),
                "face_jpeg": base64.b64encode(t.face_jpeg).decode(),
            }
            for t in templates
        ],
    }


def _from_json(data: dict[str, object]) -> Watchlist:
    contract = EmbeddingContract(**data["contract"])  # type: ignore[arg-type]
    templates = [
        Template(
            subject=Subject(**t["subject"]),
            embedding=np.frombuffer(base64.b64decode(t["embedding"]), np.float32).copy(),
            contract=contract,
            image_name=str(t["image_name"]),
            face_jpeg=base64.b64decode(t["face_jpeg"]),
        )
        for t in data["templates"]  # type: ignore[attr-defined]
    ]
    return Watchlist.from_templates(contract, templates)


def _seal(key: bytes, plain: bytes, aad: bytes) -> str:
    nonce = os.urandom(_NONCE)
    return base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, aad)).decode()


def _open(key: bytes, sealed: str, aad: bytes) -> bytes:
    try:
        data = base64.b64decode(sealed, validate=True)
        return AESGCM(key).decrypt(data[:_NONCE], data[_NONCE:], aad)
    except (InvalidTag, ValueError):
        raise IntegrityError("the snapshot does not open with this node's key") from None


def _aad(node: str, deployment_id: int, what: str) -> bytes:
    return f"edge-snapshot:{node}:{int(deployment_id)}:{what}".encode()
