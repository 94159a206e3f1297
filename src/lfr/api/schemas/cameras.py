from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public


class CameraHealthPublic(Public):
    deployment_id: int
    camera: str
    state: str = Field(description="running, stopped or error")
    frames: int = Field(description="frames processed")
    frames_read: int
    frames_dropped: int
    reconnects: int
    fps: float = Field(description="frames processed per second")
    last_frame_at: str | None
    error: str | None
    source: str = Field(description="where frames come from, credentials redacted")


class RunPublic(Public):
    deployment_id: int
    running: bool
    message: str
