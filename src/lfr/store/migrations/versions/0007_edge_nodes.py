"""Edge nodes: the registry of the machines that run cameras next to them (issue 9).

- edge_nodes: one row per node allowed on the bus, with the bcrypt hash of its bus password
  (what ``lfr nats config`` writes into the nats-server configuration; the password itself is
  only in the node's credentials file), and the node's AES key, sealed with the data key, which
  seals the alert crops it sends. Removing a node deletes its row; the audit log keeps
  who added and removed it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "edge_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=100), nullable=False),
        sa.Column("key_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("edge_nodes")
