"""The web app's settings: cookies, session lifetimes, upload and stream limits, the metrics
scrape token, what the public page says."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lfr.api.login_throttle import ThrottleLimits
from lfr.config import ImageLimits

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
    images: ImageLimits = field(default_factory=ImageLimits)
    """Pixels per photo and per upload, photos per upload: checked from the headers, before
    decoding; over them is 413 naming each file (``lfr serve`` passes the engine's)."""
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
    max_alert_streams: int = 100
    """Live alert streams open at once, in all; one more is refused with 503 and Retry-After
    (each open stream costs the server work at every alert and keep-alive)."""
    max_alert_streams_per_user: int = 4
    """Live alert streams one account may hold open (tabs, phones); one more is 429."""
    stream_retry_after_s: int = 10
    """The Retry-After of a refused stream, in seconds."""
    scrape_token_sha256: bytes | None = field(default=None, repr=False)
    """SHA-256 of the Prometheus scrape token (``lfr.store.scrape_token``); None: only a staff
    login reads ``/metrics``."""
    login_throttle: ThrottleLimits = field(default_factory=ThrottleLimits)
    """Failed logins allowed per client address, and per name from one address, per window."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch, for session expiry (tests move it)."""

    def __post_init__(self) -> None:
        if len(self.session_key) < MIN_KEY_BYTES:
            raise ValueError(f"session_key must be at least {MIN_KEY_BYTES} bytes")
        if self.max_upload_bytes < 1024:
            raise ValueError("max_upload_bytes must be at least 1 KiB")
        if min(self.max_alert_streams, self.max_alert_streams_per_user) < 1:
            raise ValueError("the alert stream limits must be at least 1")
