"""The tables. Biometric columns (templates, face images, alert crops) hold AES-GCM ciphertext
only (``lfr.store.crypto``); nothing here ever holds data about a face that did not match.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite drops the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use datetime.now(UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


MAX_ROW_ID = 2**31 - 1
"""The largest id a row can have: ids are INTEGER columns, 32 bits in PostgreSQL. Requests are
refused a larger id before it reaches SQL (SQLite cannot even bind one past 2**63)."""


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class PolicyVersion(Base):
    """Every policy ever in force; the newest row is the current policy."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class Watchlist(Base):
    __tablename__ = "watchlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    entries: Mapped[list[WatchlistEntry]] = relationship(back_populates="watchlist")


class WatchlistEntry(Base):
    __tablename__ = "watchlist_entries"
    __table_args__ = (UniqueConstraint("watchlist_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("watchlists.id"))
    reference: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    image_source: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    watchlist: Mapped[Watchlist] = relationship(back_populates="entries")
    images: Mapped[list[EntryImage]] = relationship(
        back_populates="entry", cascade="all, delete-orphan"
    )


class EntryImage(Base):
    """One enrolled photo of an entry: its template and face crop, both encrypted."""

    __tablename__ = "entry_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("watchlist_entries.id"))
    image_name: Mapped[str] = mapped_column(String(300))
    contract: Mapped[dict[str, Any]]
    template_enc: Mapped[bytes] = mapped_column(LargeBinary)
    face_jpeg_enc: Mapped[bytes] = mapped_column(LargeBinary)
    entry: Mapped[WatchlistEntry] = relationship(back_populates="images")


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


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """Created by the engine where the alert was raised: a retried delivery is a no-op."""
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    camera: Mapped[str] = mapped_column(String(100))
    entry_id: Mapped[int | None]
    subject_reference: Mapped[str] = mapped_column(String(100))
    subject_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    distance: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    time_s: Mapped[float] = mapped_column(Float)
    frame: Mapped[int]
    track: Mapped[int]
    raised_at: Mapped[datetime]
    enrolled_image: Mapped[str] = mapped_column(String(300))
    probe_crop_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    enrolled_crop_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    """An ``lfr.governance.states.AlertStatus`` value: pending -> (awaiting_second ->)
    confirmed | false_alert, by operators."""
    adjudicated_by: Mapped[str | None] = mapped_column(String(64))
    adjudicated_at: Mapped[datetime | None]
    second_confirmer: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(20))
    """engaged | arrested | no_action (by a field officer)."""
    outcome_by: Mapped[str | None] = mapped_column(String(64))
    outcome_at: Mapped[datetime | None]
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_by: Mapped[str | None] = mapped_column(String(64))
    media_purged_at: Mapped[datetime | None]


class DeploymentRecord(Base):
    """The published record of an ended deployment: counts only, nobody identifiable."""

    __tablename__ = "deployment_records"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    published_at: Mapped[datetime]
    body: Mapped[dict[str, Any]]


class AuditEntry(Base):
    """Append-only, hash-chained and signed (``lfr.audit``)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(200))


class AuthSession(Base):
    """One page session or bearer token (``lfr.api.sessions``). The token itself is signed; this
    row says whether it still holds, so a logout, or every session of a user revoked at once
    (new password, new role, account disabled), outlives a restart of the server."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The session id inside the signed token."""
    username: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    """session (a page's cookie) | bearer (a machine's token)."""
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


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


class LoginFailureWindow(Base):
    """Failed logins of one fixed window, counted here and audited as ONE entry once the window
    is over, so failures - unknown names included - cannot grow the audit log without bound."""

    __tablename__ = "login_failure_windows"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    """The window's number: seconds since the epoch at its start // its length."""
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)
    details: Mapped[dict[str, Any]]
    """{"reasons": {reason: count}, "accounts": {existing username: count}, "locked": [...]}:
    counts only; a name that is not an account is never kept (it may be a mistyped password)."""
