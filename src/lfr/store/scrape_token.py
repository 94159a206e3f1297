"""The Prometheus scrape token: a random secret that lets a scraper read ``/metrics``.

Only its SHA-256 digest is kept (``keys/metrics_token.sha256``, mode 0600): the token itself is
printed once by ``lfr metrics-token`` and then lives only in the scraper's configuration. A
token of 32 random bytes needs no slow hash; a digest on disk cannot be replayed as the token.
``LFR_METRICS_TOKEN`` (the token itself, from a secrets manager) overrides the file; it is
hashed at start and the clear value is not kept.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from lfr.errors import LfrError
from lfr.store.keys import key_dir

SCRAPE_TOKEN_FILE = "metrics_token.sha256"
SCRAPE_TOKEN_ENV = "LFR_METRICS_TOKEN"
_MIN_TOKEN_CHARS = 32


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def new_scrape_token(data_dir: Path) -> str:
    """A fresh token; its digest replaces the previous one (which stops working at the next
    start of ``lfr serve``)."""
    token = secrets.token_urlsafe(32)
    folder = key_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    staged = folder / f".{SCRAPE_TOKEN_FILE}.{secrets.token_hex(4)}"
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token_digest(token).hex() + "\n")
    os.replace(staged, folder / SCRAPE_TOKEN_FILE)
    return token


def scrape_token_digest(data_dir: Path, environ: Mapping[str, str]) -> bytes | None:
    """The digest to check scrapers against, or None when no token is configured (then only a
    staff login reads the metrics)."""
    if environ.get(SCRAPE_TOKEN_ENV):
        token = environ[SCRAPE_TOKEN_ENV].strip()
        if len(token) < _MIN_TOKEN_CHARS:
            raise LfrError(f"{SCRAPE_TOKEN_ENV} must hold at least {_MIN_TOKEN_CHARS} characters")
        return token_digest(token)
    path = key_dir(data_dir) / SCRAPE_TOKEN_FILE
    if not path.exists():
        return None
    try:
        digest = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except ValueError:
        digest = b""
    if len(digest) != hashlib.sha256().digest_size:
        raise LfrError(f"{path} is not a SHA-256 digest: run 'lfr metrics-token' again")
    return digest
