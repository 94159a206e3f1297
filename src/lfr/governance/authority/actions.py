"""What the clock did: one typed action per deployment the schedule ended or refused, so
that a caller (the bus, the command line, a camera run) needs to parse no log line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ScheduleAction:
    deployment_id: int
    reason: str
    """Why it ended (the deployment's ``end_reason`` words)."""
    detail: str = ""
    """What else was done: alerts deleted, a key destroyed."""

    def __str__(self) -> str:
        line = f"deployment {self.deployment_id} ended: {self.reason}"
        return f"{line}; {self.detail}" if self.detail else line
