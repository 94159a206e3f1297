from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public


class CameraHealthPublic(Public):
    deployment_id: int
    camera: str
    state: str = Field(
        description="starting (planned on a live deployment, not heard from yet); running;"
        " ended (its source came to its end, e.g. a file played through); stopped; or error"
        " (why, in error)"
    )
    frames: int = Field(description="frames processed")
    frames_read: int
    frames_dropped: int
    reconnects: int
    fps: float = Field(description="frames processed per second")
    last_frame_at: str | None
    error: str | None
    source: str = Field(description="where frames come from, credentials redacted")
    warning: str | None = Field(
        None,
        description="why an operator should look at this camera now (a fault, or over 2%"
        " of its frames dropped), in plain words",
    )
    node: str | None = Field(None, description="the edge node running it (None: lfr serve)")
    node_online: bool | None = Field(
        None, description="whether its node's heartbeat arrived in the last 3 seconds"
    )
    node_last_seen: str | None = Field(None, description="its node's last heartbeat")
    node_outbox_dropped: int | None = Field(
        None,
        description="counts messages its node's outbox dropped for room (superseded, not lost)",
    )
    node_outbox_refused: int | None = Field(
        None,
        description="alerts and reports its node's outbox turned away, full: lost (the warning"
        " says so)",
    )


class RunPublic(Public):
    deployment_id: int
    running: bool
    message: str
