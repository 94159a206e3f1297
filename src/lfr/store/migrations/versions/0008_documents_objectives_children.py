"""Jurisdiction profiles, part G (issue 11): objectives, offences, documents, children, cost.

- deployments: objective (EU AI Act Art. 5(1)(h): i, ii or iii), expected_footfall (for the
  expected false alerts), threshold_reason (why a threshold looser than the evaluated fair
  operating point is used), pinned_documents (the document versions it went live on).
- watchlist_entries: offence (an Annex II offence type) and max_sentence_years (the national
  maximum), date_of_birth, child_reason and child_approved_by/at (an under-18 entry).
- documents: the force's document registry (DPIA, equality impact assessment, FRIA, legal
  mandate, policy), versioned, hashed, with a review date.
- evaluation_reports: imported ``lfr evaluate`` reports (the operating points that give FPIR).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _deployment_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("objective", sa.String(length=4), nullable=True),
        sa.Column("expected_footfall", sa.Integer(), nullable=True),
        sa.Column("threshold_reason", sa.Text(), nullable=True),
        sa.Column("pinned_documents", sa.JSON(), nullable=True),
    )


def _entry_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("offence", sa.String(length=100), nullable=True),
        sa.Column("max_sentence_years", sa.Float(), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("child_reason", sa.Text(), nullable=True),
        sa.Column("child_approved_by", sa.String(length=64), nullable=True),
        sa.Column("child_approved_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=True),
    )


def upgrade() -> None:
    with op.batch_alter_table("deployments") as batch:
        for column in _deployment_columns():
            batch.add_column(column)
    with op.batch_alter_table("watchlist_entries") as batch:
        for column in _entry_columns():
            batch.add_column(column)
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=False),
        sa.Column("fria_fields", sa.JSON(), nullable=True),
        sa.Column("created_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "version"),
    )
    op.create_table(
        "evaluation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("fair_threshold", sa.Float(), nullable=True),
        sa.Column("imported_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("evaluation_reports")
    op.drop_table("documents")
    with op.batch_alter_table("watchlist_entries") as batch:
        for column in reversed(_entry_columns()):
            batch.drop_column(column.name)
    with op.batch_alter_table("deployments") as batch:
        for column in reversed(_deployment_columns()):
            batch.drop_column(column.name)
