"""Site settings and record revisions.

- site_settings: one row (id 1) saying who runs the system and how to reach them (force name,
  contact, complaint address, public URL, local time zone), set by an admin on /settings.
- record_revisions: each change to a deployment's record after it was published (a late
  review, late counts), with its time and what changed, so a record never changes quietly.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _when() -> lfr.store.tables.UtcDateTime:
    return lfr.store.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "site_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("force_name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=500), nullable=False),
        sa.Column("complaints", sa.String(length=500), nullable=False),
        sa.Column("public_url", sa.String(length=500), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "record_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("revised_at", _when(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("record_revisions") as batch_op:
        batch_op.create_index(batch_op.f("ix_record_revisions_deployment_id"), ["deployment_id"])


def downgrade() -> None:
    with op.batch_alter_table("record_revisions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_revisions_deployment_id"))
    op.drop_table("record_revisions")
    op.drop_table("site_settings")
