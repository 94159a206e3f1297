"""How each biometric column is sealed: one AAD per purpose, so ciphertexts cannot be swapped
between rows or columns and still open."""

from __future__ import annotations

import numpy as np

from lfr.domain import Vector
from lfr.store.crypto import DataCipher
from lfr.wipe import zero


def _aad(kind: str, owner: str, name: str, column: str) -> bytes:
    return f"{kind}:{owner}:{name}:{column}".encode()


def seal_vector(cipher: DataCipher, vector: Vector, kind: str, owner: str, name: str) -> bytes:
    data = np.asarray(vector, dtype="<f4").tobytes()
    return cipher.seal(data, _aad(kind, owner, name, "template"))


def open_vector(cipher: DataCipher, sealed: bytes, kind: str, owner: str, name: str) -> Vector:
    data = cipher.open(sealed, _aad(kind, owner, name, "template"))
    vector = np.frombuffer(data, dtype="<f4").astype(np.float32)
    zero(data)  # the copy above is the one its caller holds (and wipes)
    return vector


def seal_image(
    cipher: DataCipher, jpeg: bytes | bytearray | memoryview, kind: str, owner: str, name: str
) -> bytes:
    return cipher.seal(jpeg, _aad(kind, owner, name, "image"))


def open_image(cipher: DataCipher, sealed: bytes, kind: str, owner: str, name: str) -> bytearray:
    return cipher.open(sealed, _aad(kind, owner, name, "image"))


def seal_text(cipher: DataCipher, text: str, kind: str, owner: str, name: str) -> bytes:
    """A secret that is not biometric (a camera URL with its password), sealed the same way."""
    return cipher.seal(text.encode("utf-8"), _aad(kind, owner, name, "secret"))


def open_text(cipher: DataCipher, sealed: bytes, kind: str, owner: str, name: str) -> str:
    return cipher.open(sealed, _aad(kind, owner, name, "secret")).decode("utf-8")


# The (kind, owner, name) triples in use:
#   watchlist entry image:  ("entry", str(entry.reference-in-watchlist id), image_name)
#                           -> use entry_owner(watchlist_id, reference)
#   deployment snapshot:    ("snapshot", str(deployment_id), f"{reference}/{image_name}")
#   alert crops:            ("alert", alert_id, "probe" | "enrolled")
#   alert probe descriptor: ("alert", alert_id, "probe") (a vector)
#   lookalike negative:     ("negative", str(deployment_id), alert_id) (a vector)
#   camera source secrets:  ("camera", str(deployment_id), camera name)


def entry_owner(watchlist_id: int, reference: str) -> str:
    return f"{watchlist_id}/{reference}"
