"""Login throttling per client address, before any password is checked.

Two counts of failed logins per fixed window, each answered 429 with Retry-After once full:
per client address (``per_address``: a password spray from one place), and per account name
from one address (``per_name``: guessing one account). The name's count is kept for any name,
an account or not, so a 429 tells nothing about which names exist; names are kept only as keyed
digests (a mistyped password in the name field never sits in memory). A throttled attempt runs
no argon2 and writes nothing. ``per_name`` is below ``users.MAX_FAILED_LOGINS``, so one
address alone cannot lock an account (the lock is kept in the database, across processes).

Held in memory, bounded to ``max_tracked`` keys (the least recently failed dropped first): a
client address means something only to the server that saw it, and a throttled attempt must
cost the attacker, not the database (no write per attempt). A restart forgets the counts; the
accounts' own failure counts and the audit's window counts are in the database and do not.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.exceptions import HTTPException

RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
"""The header of a 429, for the routes' OpenAPI ``responses``."""


@dataclass(frozen=True)
class ThrottleLimits:
    per_address: int = 50
    """Failed logins from one client address per window, any names."""
    per_name: int = 5
    """Failed logins for one name from one client address per window."""
    window_s: float = 900.0
    max_tracked: int = 20_000
    """Counts kept at most (addresses and name-address pairs together): bounded memory."""

    def __post_init__(self) -> None:
        if min(self.per_address, self.per_name, self.max_tracked) < 1 or self.window_s <= 0:
            raise ValueError("login throttle limits must be positive")


class LoginThrottledError(HTTPException):
    """429: too many failed logins from here; ``Retry-After`` says when to try again."""

    def __init__(self, retry_after_s: int) -> None:
        minutes = math.ceil(retry_after_s / 60)
        super().__init__(
            429,
            f"too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}",
            headers={"Retry-After": str(retry_after_s)},
        )
        self.retry_after_s = retry_after_s


class LoginThrottle:
    """Thread-safe: logins are checked on the event loop and counted from the threadpool."""

    def __init__(self, limits: ThrottleLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._salt = secrets.token_bytes(16)
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, address: str, username: str) -> None:
        """LoginThrottledError when this address, or this name from it, has no attempts left."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, limit, now) for key, limit in self._keys(address, username)]
        wait = max(waits)
        if wait > 0:
            raise LoginThrottledError(math.ceil(wait))

    def failed(self, address: str, username: str) -> None:
        now = self._clock()
        with self._lock:
            for key, _ in self._keys(address, username):
                started, count = self._current(key, now)
                self._counts[key] = (started, count + 1)
                self._counts.move_to_end(key)
            while len(self._counts) > self.limits.max_tracked:
                self._counts.popitem(last=False)

    def succeeded(self, address: str, username: str) -> None:
        """The name's count from this address starts afresh (the address's count does not: a
        spray is not excused by one account that works)."""
        with self._lock:
            self._counts.pop(self._name_key(address, username), None)

    def tracked(self) -> int:
        with self._lock:
            return len(self._counts)

    def _keys(self, address: str, username: str) -> list[tuple[str, int]]:
        return [
            (f"a:{address[:64]}", self.limits.per_address),
            (self._name_key(address, username), self.limits.per_name),
        ]

    def _name_key(self, address: str, username: str) -> str:
        message = f"{address[:64]}\0{username.strip().lower()}".encode()
        return "n:" + hmac.new(self._salt, message, hashlib.sha256).hexdigest()[:32]

    def _current(self, key: str, now: float) -> tuple[float, int]:
        """(window start, failures in it) for ``key``; a window that is over starts afresh."""
        started, count = self._counts.get(key, (now, 0))
        if now - started >= self.limits.window_s:
            return now, 0
        return started, count

    def _wait(self, key: str, limit: int, now: float) -> float:
        started, count = self._current(key, now)
        return started + self.limits.window_s - now if count >= limit else 0.0
