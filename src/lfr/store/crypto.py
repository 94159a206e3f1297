"""Biometric data at rest is sealed with AES-256-GCM; without the key it cannot be read.

The key is 32 random bytes, created by ``lfr init`` in ``<data dir>/keys/data.key`` (mode
0600), or given base64-encoded in ``LFR_DATA_KEY``. Each ciphertext is bound to what it
belongs to (``aad``, e.g. ``b"alert:<id>:probe"``), so a sealed crop cannot be moved to
another row and still decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lfr.errors import IntegrityError

NONCE_BYTES = 12
KEY_BYTES = 32


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def key_from_base64(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise IntegrityError("data key is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise IntegrityError(f"data key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


class DataCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise IntegrityError(f"data key must be {KEY_BYTES} bytes")
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError):
            raise IntegrityError(
                "cannot decrypt biometric data: wrong key, or the data was altered"
            ) from None
