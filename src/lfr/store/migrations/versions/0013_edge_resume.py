"""Edge nodes, part III: a restarted node resumes, and every delivery of a snapshot is audited.

- edge_camera_counts.position: a video-file camera's next frame, as its node last said; a
  start sent again after the node restarted carries it, so the file plays on from there.
- edge_runs.delivered_at: the node's time of its last snapshot delivery report; a report of a
  new delivery (the node restarted and was sent the start again) differs from a redelivered
  copy of the last one by it, so each delivery is audited once.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = lfr.store.tables.UtcDateTime(timezone=True)
    op.add_column(
        "edge_camera_counts",
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("edge_runs", sa.Column("delivered_at", moment, nullable=True))


def downgrade() -> None:
    op.drop_column("edge_runs", "delivered_at")
    op.drop_column("edge_camera_counts", "position")
