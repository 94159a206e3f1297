"""Proof of origin for what a node sends up: an HMAC-SHA256 tag over the subject and the
payload, keyed by the node's registered key, in the ``Lfr-Mac`` header.

nats-server's permissions keep a node to its own subjects on the connection it opens, but
not inside the JetStream stores on its own leaf, which the hub copies from: a node there could
write a message under another node's subject. The subject therefore names the node the centre
checks the tag against, and only the holder of that node's key can make a tag that passes.
The key is derived for this one use (HKDF), apart from the key that seals crops."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from lfr.errors import IntegrityError

MAC_HEADER: Final = "Lfr-Mac"
_INFO: Final = b"lfr edge message mac v1"


def _mac_key(node_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(node_key)


def message_mac(node_key: bytes, subject: str, payload: bytes) -> str:
    """The hex tag of ``payload`` published on ``subject`` by the holder of ``node_key``."""
    signed = subject.encode() + b"\n" + payload
    return hmac.new(_mac_key(node_key), signed, hashlib.sha256).hexdigest()


def check_mac(
    node_key: bytes, subject: str, payload: bytes, headers: Mapping[str, str] | None
) -> None:
    """IntegrityError unless ``headers`` carry the tag only ``node_key`` could have made."""
    tag = (headers or {}).get(MAC_HEADER, "")
    if not tag:
        raise IntegrityError(f"a message on {subject} carries no {MAC_HEADER} tag")
    if not hmac.compare_digest(tag, message_mac(node_key, subject, payload)):
        raise IntegrityError(f"a message on {subject} was not sent by the node it names")
