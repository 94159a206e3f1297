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
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lfr.errors import IntegrityError

NONCE_BYTES = 12
TAG_BYTES = 16
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
        self._key = key

    def derive_key(self, purpose: str) -> bytes:
        """A key of its own for ``purpose`` (HKDF), e.g. what seals one node's crops in one
        deployment: made again from this key whenever it is needed, so it is never stored."""
        kdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose.encode())
        return kdf.derive(self._key)

    def seal(self, plaintext: bytes | bytearray | memoryview, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, sealed: bytes, aad: bytes) -> bytearray:
        """The plaintext in a buffer of its own, which the caller may zero (``lfr.wipe``) once
        done with it: an immutable ``bytes`` would stay in memory after use."""
        plain = bytearray(max(0, len(sealed) - NONCE_BYTES - TAG_BYTES))
        try:
            self._aead.decrypt_into(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad, plain)
            return plain
        except (InvalidTag, ValueError):
            raise IntegrityError(
                "cannot decrypt biometric data: wrong key, or the data was altered"
            ) from None
