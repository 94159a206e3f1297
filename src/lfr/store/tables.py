"""The tables. Biometric columns (templates, face images, alert crops) hold AES-GCM ciphertext
only (``lfr.store.crypto``); nothing here ever holds data about a face that did not match.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
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
    training_until: Mapped[datetime | None]
    """End of the user's current training record (EU AI Act Art. 14(5)); None: none."""


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
    offence: Mapped[str | None] = mapped_column(String(100))
    """An EU AI Act Annex II offence type (``lfr.governance.law.annex_ii``), for objective (iii)."""
    max_sentence_years: Mapped[float | None] = mapped_column(Float)
    """The offence's national maximum custodial sentence, in years."""
    date_of_birth: Mapped[date | None]
    child_reason: Mapped[str | None] = mapped_column(Text)
    """Why an under-18 is on the watchlist (needed, with an approval, to go live)."""
    child_approved_by: Mapped[str | None] = mapped_column(String(64))
    child_approved_at: Mapped[datetime | None]
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


class LookalikeNegative(Base):
    """A rejected alert's probe descriptor (sealed): that face must not alert again for that
    subject while the deployment is live (``lfr.governance.watchlists.lookalikes``); wiped with the
    snapshot. An alert's evidence, never a non-match's data."""

    __tablename__ = "lookalike_negatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    alert_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject_reference: Mapped[str] = mapped_column(String(100))
    descriptor_enc: Mapped[bytes] = mapped_column(LargeBinary)
    added_at: Mapped[datetime]
    added_by: Mapped[str] = mapped_column(String(64))


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
    probe_descriptor_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The probe's descriptor (sealed): kept only while the deployment is live, so that a
    rejected alert can become a lookalike negative; wiped with the snapshot."""
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
    first_verdict: Mapped[str | None] = mapped_column(String(20))
    """The first verifier's verdict under blind two-person verification (hidden from the
    second verifier until they give theirs); None in the one-verifier flow."""
    outcome_corroboration: Mapped[str | None] = mapped_column(Text)
    """What corroborated an arrest (no arrest on the match alone)."""


class DeploymentRecord(Base):
    """The published record of an ended deployment: counts only, nobody identifiable."""

    __tablename__ = "deployment_records"

    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    published_at: Mapped[datetime]
    body: Mapped[dict[str, Any]]


class RecordRevision(Base):
    """A change to a record after it was published (a late review, late counts): when, and
    each changed figure as ``{field: [before, after]}``. Counts only, like the record."""

    __tablename__ = "record_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    revised_at: Mapped[datetime]
    changes: Mapped[dict[str, Any]]


class SiteSettingsRow(Base):
    """Who runs this system and how the public reaches them (one row, id 1; set on /settings)."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    force_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(500))
    complaints: Mapped[str] = mapped_column(String(500))
    public_url: Mapped[str | None] = mapped_column(String(500))
    time_zone: Mapped[str] = mapped_column(String(64))
    """An IANA zone name (``zoneinfo``): public pages show local times in it."""
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))


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


class AlertMediaView(Base):
    """A picture of an alert (``probe`` crop or ``enrolled`` image) that one login session has
    loaded: adjudication waits until the session has loaded both (``governance.alert_views``).
    Holds no picture, only that it was shown."""

    __tablename__ = "alert_media_views"

    session_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    picture: Mapped[str] = mapped_column(String(10), primary_key=True)
    viewed_at: Mapped[datetime]


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
    updated_at: Mapped[datetime]


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


class Encounter(Base):
    """What happened on the ground (``lfr.governance.alerts.encounters``): one per alert, and one
    per stop in the zone that no alert caused. No biometric data: only the officer's record."""

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    """No foreign key: the alert is purged on its schedule, the encounter record stays."""
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    officer: Mapped[str] = mapped_column(String(64))
    stopped: Mapped[bool]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    identity_check: Mapped[str] = mapped_column(String(30))
    identity_check_detail: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class DocumentRow(Base):
    """One version of a force document (``lfr.governance.records.documents``): only its hash is
    kept."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    """dpia | equality_impact | fria | legal_mandate | policy."""
    version: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    review_by: Mapped[date]
    fria_fields: Mapped[dict[str, Any] | None]
    """For a FRIA: EU AI Act Art. 27(1) fields "a" to "f" as text."""
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class EvaluationReportRow(Base):
    """An imported ``lfr evaluate`` report, reduced to what costing a deployment needs."""

    __tablename__ = "evaluation_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    points: Mapped[dict[str, Any]]
    """{"by_threshold": [{"threshold", "fmr_per_comparison"}]}."""
    fair_threshold: Mapped[float | None] = mapped_column(Float)
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(64))
