"""Passwords on the bus: generated here, bcrypt-hashed for nats-server's configuration
(nats-server checks bcrypt hashes, ``$2a$``/``$2b$``, not argon2)."""

from __future__ import annotations

import secrets

import bcrypt

BCRYPT_COST = 11
"""nats-server's own default cost: a connect costs tens of milliseconds, a guess as much."""


def new_password() -> str:
    return secrets.token_urlsafe(32)


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(BCRYPT_COST)).decode()
