"""Watchlists, their entries and enrolled images (encrypted), lookalike negatives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lfr.store.tables.base import Base


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
