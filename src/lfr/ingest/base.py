"""The ingest seam: anything that yields frames and counts what it had to drop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from lfr.domain import Frame


@dataclass(frozen=True, slots=True)
class SourceStats:
    frames_read: int
    frames_dropped: int
    reconnects: int
    unreadable: int = 0
    """Items skipped because they could not be decoded (image folders)."""
    error: str | None = None
    """Why a live source gave up (its reconnects ran out), for a clear exit."""


class FrameSource(Protocol):
    """Yields frames in order. A live source drops stale frames rather than queue them."""

    camera: str
    description: str
    """Where the frames come from, safe to log: URL credentials are redacted."""
    still_images: bool
    """Frames are unrelated photos (an image folder), not a video: nothing to track across."""

    def frames(self) -> Iterator[Frame]: ...

    def stats(self) -> SourceStats: ...

    def close(self) -> None: ...
