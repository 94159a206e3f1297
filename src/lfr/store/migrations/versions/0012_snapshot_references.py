"""Late alerts: what the subject check needs of a deployment's snapshot after it was wiped.

- deployments.snapshot_references: the subject references on the snapshot frozen at going live
  (references only: no template, no image). An alert raised inside the window but delivered
  after the end (an edge node's link was down) is checked against them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deployments", sa.Column("snapshot_references", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("deployments", "snapshot_references")
