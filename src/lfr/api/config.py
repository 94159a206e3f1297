"""The web app's settings: cookies, session lifetimes, upload limit, what the public page says."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class WebConfig:
    session_key: bytes = field(repr=False)
    """Signs session cookies, bearer tokens and CSRF tokens (at least 32 random bytes)."""
    secure_cookies: bool = True
    """Send the session cookie only over HTTPS; turn off only for http://localhost."""
    session_ttl_s: int = 8 * 3600
    """A page session ends this long after login (then 401: log in again)."""
    token_ttl_s: int = 12 * 3600
    """Lifetime of a bearer token for a machine client."""
    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest request body (photos included); a bigger one is refused with 413."""
    public_url: str | None = None
    """Base URL printed in the signage QR code (default: the URL the request came to)."""
    organisation: str = "the police force that runs this system"
    complaints: str = (
        "Ask the officers at the deployment, write to the force's professional standards"
        " department, or complain to the Information Commissioner's Office (ico.org.uk)."
    )
    keepalive_s: float = 15.0
    """A comment line on an idle alert stream this often, so proxies keep it open."""
    catch_up_slack_s: float = 10.0
    """On reconnect from the database, also resend alerts stored up to this long before the
    last one seen (two cameras can commit out of order); the page ignores repeats."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch, for session expiry (tests move it)."""

    def __post_init__(self) -> None:
        if len(self.session_key) < MIN_KEY_BYTES:
            raise ValueError(f"session_key must be at least {MIN_KEY_BYTES} bytes")
        if self.max_upload_bytes < 1024:
            raise ValueError("max_upload_bytes must be at least 1 KiB")
