"""Alerts (crops encrypted), who viewed their faces, and encounters on the ground."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from lfr.store.tables.base import Base


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


class AlertMediaView(Base):
    """A picture of an alert (``probe`` crop or ``enrolled`` image) that one login session has
    loaded: adjudication waits until the session has loaded both (``governance.alert_views``).
    Holds no picture, only that it was shown."""

    __tablename__ = "alert_media_views"

    session_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    alert_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    picture: Mapped[str] = mapped_column(String(10), primary_key=True)
    viewed_at: Mapped[datetime]


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
