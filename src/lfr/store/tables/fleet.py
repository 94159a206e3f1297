"""The fleet: edge nodes, their runs and camera counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from lfr.store.tables.base import Base


class EdgeNode(Base):
    """A machine allowed on the bus to run cameras (``lfr.edge.centre.nodes``). Only the
    bcrypt hash of its bus password is kept: nats-server checks it, the node holds the rest."""

    __tablename__ = "edge_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    """The node's own AES key (sealed with the data key): it seals what the node sends that
    is biometric (alert crops), so the bus and its store never hold a crop in clear."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime | None]
    """Its last heartbeat (``lfr.edge.centre.commands``)."""


class EdgeRun(Base):
    """A deployment's cameras on one node: what the centre sent and what the node reported."""

    __tablename__ = "edge_runs"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    node: Mapped[str] = mapped_column(String(32), primary_key=True)
    start_sent_at: Mapped[datetime]
    stop_sent_at: Mapped[datetime | None]
    delivered_digest: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime | None]
    """The node's time in its last delivery report: a new delivery has a new one."""
    wiped_at: Mapped[datetime | None]
    missing_since: Mapped[datetime | None]
    """The first heartbeat of the node not naming this deployment (None while it names it)."""
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the start was sent again (the node had restarted)."""


class EdgeCameraCounts(Base):
    """The latest cumulative counts of a camera on a node (counts only: nobody in them)."""

    __tablename__ = "edge_camera_counts"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    camera: Mapped[str] = mapped_column(String(64), primary_key=True)
    node: Mapped[str] = mapped_column(String(32))
    run: Mapped[str] = mapped_column(String(36))
    """The node's run of the camera these counts are of (a restarted node starts a new one)."""
    frames: Mapped[int] = mapped_column(Integer)
    frames_dropped: Mapped[int] = mapped_column(Integer)
    face_detections: Mapped[int] = mapped_column(Integer)
    tracks: Mapped[int] = mapped_column(Integer)
    embeddings: Mapped[int] = mapped_column(Integer)
    fps: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """A video file's next frame (0: a stream): where a restarted node resumes it."""
    updated_at: Mapped[datetime]
