"""Waiting in tests without betting on the machine's speed: poll for the condition the test is
about, with a deadline long enough that only a wrong result (never a busy machine) reaches it."""

from __future__ import annotations

import time
from collections.abc import Callable

PATIENCE_S = 30.0
"""How long a test waits for something that should happen at once: far beyond any load."""


def wait_until(
    condition: Callable[[], object], timeout: float = PATIENCE_S, what: str = "the condition"
) -> None:
    """Return as soon as ``condition()`` is true; fail the test if it is not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.005)
