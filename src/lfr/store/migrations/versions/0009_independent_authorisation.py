"""Independent authorisation (issue 11, EU AI Act Art. 5(3)) and per-deployment data keys.

- deployment_keys: each new deployment's own AES key, sealed with the data key; deleting the
  row (a refused or expired urgent use) makes every copy of that use's data unreadable.
- authority_requests: the force's reasoned request for one deployment and the independent
  authority's decision (reasons, document reference and SHA-256, narrowing).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, lfr.store.tables.UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deployment_keys",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("key_enc", sa.LargeBinary(), nullable=False),
        _when("created_at", nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("deployment_id"),
        sa.UniqueConstraint("key_id"),
    )
    op.create_table(
        "authority_requests",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("justification_harm", sa.Text(), nullable=False),
        sa.Column("justification_rights", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        _when("requested_at", nullable=False),
        _when("urgent_started_at"),
        sa.Column("decision", sa.String(length=10), nullable=True),
        sa.Column("reasons", sa.Text(), nullable=True),
        sa.Column("document_ref", sa.String(length=200), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        _when("decided_at"),
        _when("window_starts_at"),
        _when("window_ends_at"),
        sa.Column("cameras", sa.JSON(), nullable=True),
        sa.Column("entries", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("deployment_id"),
    )


def downgrade() -> None:
    op.drop_table("authority_requests")
    op.drop_table("deployment_keys")
