"""Signed session tokens: the page cookie and the bearer token of a machine client.

A token is ``v1.<payload>.<mac>``: the payload (session id, user, kind, issue and expiry times)
in base64url, and an HMAC-SHA256 over it with the server's key. The signature and the expiry are
checked here; whether the session still holds is its row in the database
(``lfr.governance.accounts.sessions``, read by ``lfr.api.accounts``), so a logout, or every session
of a user revoked at once (a new password, a new role, a disabled account), outlives a
restart. The role is NOT in the token: every request looks the account and its session up.

The CSRF token of a page session is an HMAC of its session id: the page sends it back in the
``X-CSRF-Token`` header (or a ``csrf_token`` form field) with every state-changing request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lfr.errors import AuthenticationError

Kind = Literal["session", "bearer"]
_VERSION = "v1"


class SessionError(AuthenticationError):
    """No valid session: missing, forged, expired, revoked, or the account is gone."""


class SessionExpiredError(SessionError):
    pass


@dataclass(frozen=True, slots=True)
class Claims:
    sid: str
    username: str
    kind: Kind
    issued_at: float
    expires_at: float


class SessionSigner:
    def __init__(self, key: bytes, clock: Callable[[], float]) -> None:
        self._mac_key = hmac.new(key, b"lfr session tokens", hashlib.sha256).digest()
        self._csrf_key = hmac.new(key, b"lfr csrf tokens", hashlib.sha256).digest()
        self._clock = clock

    def issue(self, username: str, kind: Kind, ttl_s: int) -> tuple[str, Claims]:
        now = self._clock()
        claims = Claims(secrets.token_urlsafe(18), username, kind, now, now + ttl_s)
        payload = _b64(
            json.dumps(
                {
                    "sid": claims.sid,
                    "sub": username,
                    "kind": kind,
                    "iat": int(now),
                    "exp": int(claims.expires_at),
                },
                separators=(",", ":"),
            ).encode()
        )
        return f"{_VERSION}.{payload}.{self._mac(payload)}", claims

    def read(self, token: str) -> Claims:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION or len(token) > 1000:
            raise SessionError("invalid session token: log in again")
        _, payload, mac = parts
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise SessionError("invalid session token: log in again")
        try:
            body = json.loads(_unb64(payload))
            claims = Claims(
                str(body["sid"]),
                str(body["sub"]),
                "bearer" if body["kind"] == "bearer" else "session",
                float(body["iat"]),
                float(body["exp"]),
            )
        except (ValueError, KeyError, TypeError):
            raise SessionError("invalid session token: log in again") from None
        self.check(claims)
        return claims

    def check(self, claims: Claims) -> None:
        """Raise SessionExpiredError if these (already verified) claims have expired since."""
        if self._clock() >= claims.expires_at:
            raise SessionExpiredError("session expired: log in again")

    def csrf_token(self, claims: Claims) -> str:
        return _b64(hmac.new(self._csrf_key, claims.sid.encode(), hashlib.sha256).digest()[:24])

    def csrf_ok(self, claims: Claims, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(
            presented.encode() if presented else b"", self.csrf_token(claims).encode()
        )

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._mac_key, payload.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
