"""Keys in the data directory: the AES data key and the audit log's Ed25519 signing key.

``lfr init`` creates them with mode 0600. ``LFR_DATA_KEY`` (base64) overrides the data key
file, so a key can live in a secrets manager instead of on disk.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lfr.errors import IntegrityError, LfrError
from lfr.store.crypto import key_from_base64, new_key

DATA_KEY = "data.key"
AUDIT_PRIVATE = "audit_ed25519.pem"
AUDIT_PUBLIC = "audit_ed25519.pub"


@dataclass(frozen=True)
class KeyRing:
    data_key: bytes
    audit_signing: Ed25519PrivateKey
    audit_public: Ed25519PublicKey


def key_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def create_keys(data_dir: Path) -> list[Path]:
    """Create whichever keys are missing; never overwrites one (that would orphan data)."""
    folder = key_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = []
    if not (folder / DATA_KEY).exists():
        _write_secret(folder / DATA_KEY, base64.b64encode(new_key()) + b"\n")
        created.append(folder / DATA_KEY)
    if not (folder / AUDIT_PRIVATE).exists():
        private = Ed25519PrivateKey.generate()
        _write_secret(
            folder / AUDIT_PRIVATE,
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )
        (folder / AUDIT_PUBLIC).write_bytes(
            private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        created.append(folder / AUDIT_PRIVATE)
    return created


def _write_secret(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


def load_keys(data_dir: Path, environ: Mapping[str, str]) -> KeyRing:
    folder = key_dir(data_dir)
    try:
        if "LFR_DATA_KEY" in environ:
            data_key = key_from_base64(environ["LFR_DATA_KEY"])
        else:
            data_key = key_from_base64((folder / DATA_KEY).read_text())
        private = serialization.load_pem_private_key(
            (folder / AUDIT_PRIVATE).read_bytes(), password=None
        )
    except FileNotFoundError as exc:
        raise LfrError(f"key missing: {exc.filename}; run 'lfr init' first") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise IntegrityError(f"{folder / AUDIT_PRIVATE} is not an Ed25519 key")
    return KeyRing(data_key, private, private.public_key())


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise IntegrityError(f"{path} is not an Ed25519 public key")
    return key
