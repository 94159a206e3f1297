"""Deployments, their frozen snapshot, assignments, keys and independent-authority requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lfr.store.tables.base import Base


class Deployment(Base):
    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    location_name: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    area_description: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    cameras: Mapped[dict[str, Any]]
    """{"camera name": "source spec"}; a source spec with credentials is never shown."""
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id"))
    threshold: Mapped[float] = mapped_column(Float)
    dpia_reference: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    """An ``lfr.governance.states.DeploymentState`` value."""
    planner: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    authorised_by: Mapped[str | None] = mapped_column(String(64))
    authorised_at: Mapped[datetime | None]
    authorisation_note: Mapped[str | None] = mapped_column(Text)
    signage_confirmed_by: Mapped[str | None] = mapped_column(String(64))
    signage_confirmed_at: Mapped[datetime | None]
    signage_reference: Mapped[str | None] = mapped_column(String(200))
    emergency: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
    snapshot_digest: Mapped[str | None] = mapped_column(String(64))
    snapshot_size: Mapped[int] = mapped_column(default=0)
    snapshot_wiped_at: Mapped[datetime | None]
    frames: Mapped[int] = mapped_column(default=0)
    face_detections: Mapped[int] = mapped_column(default=0)
    tracks: Mapped[int] = mapped_column(default=0)
    lookalikes_suppressed: Mapped[int] = mapped_column(default=0)
    """Tracks that would have alerted but for a lookalike negative (a count, like the others)."""
    objective: Mapped[str | None] = mapped_column(String(4))
    """EU AI Act Art. 5(1)(h) objective: i, ii or iii (``lfr.governance.law.annex_ii``)."""
    expected_footfall: Mapped[int | None]
    """People expected to pass the cameras: times FPIR, the expected false alerts."""
    threshold_reason: Mapped[str | None] = mapped_column(Text)
    """Why a threshold looser than the evaluated fair operating point (given at authorisation)."""
    live_facts: Mapped[dict[str, Any] | None]
    """Kept when it goes live, for the published record (the snapshot is wiped at the end):
    {"profile", "entries_by_category", "under_18_entries"}
    (``lfr.governance.deployments.live_facts``)."""
    pinned_documents: Mapped[dict[str, Any] | None]
    """{kind: {"id", "version", "sha256"}}: the documents it went live on (pinned at start)."""
    snapshot_references: Mapped[list[str] | None] = mapped_column(JSON)
    """The subject references on its snapshot, kept when it goes live: the subject check of an
    alert delivered after the end, when the snapshot is wiped (references only, no biometrics)."""


class SnapshotTemplate(Base):
    """The frozen watchlist a live deployment searches; deleted when the deployment ends."""

    __tablename__ = "snapshot_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    subject: Mapped[dict[str, Any]]
    image_name: Mapped[str] = mapped_column(String(300))
    contract: Mapped[dict[str, Any]]
    template_enc: Mapped[bytes] = mapped_column(LargeBinary)
    face_jpeg_enc: Mapped[bytes] = mapped_column(LargeBinary)


class DeploymentAssignment(Base):
    """An officer (operator or field officer) assigned to a deployment: only they, supervisors
    and oversight read its alerts (need to know)."""

    __tablename__ = "deployment_assignments"
    __table_args__ = (UniqueConstraint("deployment_id", "username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime]


class DeploymentKey(Base):
    """A deployment's own data key (sealed with the data key): what is biometric about that
    use (snapshot, alert crops and descriptors, lookalike negatives) is sealed with it, so that
    deleting this row makes every copy of it unreadable (EU AI Act Art. 5(3): a refused use is
    deleted). Deployments from before per-deployment keys have no row and use the data key."""

    __tablename__ = "deployment_keys"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class AuthorityRequest(Base):
    """A force's reasoned request to an independent authority for one deployment, and the
    authority's decision (``lfr.governance.authority.requests``). A grant may narrow the
    deployment: a shorter window, fewer cameras, fewer named entries (None: as planned)."""

    __tablename__ = "authority_requests"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    justification_harm: Mapped[str] = mapped_column(Text)
    justification_rights: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    urgent_started_at: Mapped[datetime | None]
    """Set when the deployment started in urgency before a decision: the clock runs from it."""
    decision: Mapped[str | None] = mapped_column(String(10))
    """``granted`` | ``refused``; None while it waits."""
    reasons: Mapped[str | None] = mapped_column(Text)
    document_ref: Mapped[str | None] = mapped_column(String(200))
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    window_starts_at: Mapped[datetime | None]
    window_ends_at: Mapped[datetime | None]
    cameras: Mapped[list[str] | None] = mapped_column(JSON)
    entries: Mapped[list[str] | None] = mapped_column(JSON)
    """Entry references the grant names (None: every entry of the watchlist)."""
