"""The record: policy versions, published records and their revisions, site settings, the
audit chain, documents and evaluation reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lfr.store.tables.base import Base


class PolicyVersion(Base):
    """Every policy ever in force; the newest row is the current policy."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[dict[str, Any]]
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


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
