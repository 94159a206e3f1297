"""Edge nodes, part II: what the control centre knows of the deployments it runs on nodes.

- edge_runs: one row per (deployment, node) the centre commanded to start: when the start and
  the stop were sent, the digest of the snapshot the node says it holds, when it wiped it, and
  since when its heartbeats stopped naming it (then the start is sent again: ``restarts``).
- edge_camera_counts: the latest cumulative counts of each camera on a node (a crash loses at
  most one interval); the deployment's own counts grow by the difference.
- edge_nodes.last_seen_at: the node's last heartbeat.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = lfr.store.tables.UtcDateTime(timezone=True)
    op.add_column("edge_nodes", sa.Column("last_seen_at", moment, nullable=True))
    op.create_table(
        "edge_runs",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("start_sent_at", moment, nullable=False),
        sa.Column("stop_sent_at", moment, nullable=True),
        sa.Column("delivered_digest", sa.String(length=64), nullable=True),
        sa.Column("wiped_at", moment, nullable=True),
        sa.Column("missing_since", moment, nullable=True),
        sa.Column("restarts", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("deployment_id", "node"),
    )
    op.create_table(
        "edge_camera_counts",
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("camera", sa.String(length=64), nullable=False),
        sa.Column("node", sa.String(length=32), nullable=False),
        sa.Column("run", sa.String(length=36), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("frames_dropped", sa.Integer(), nullable=False),
        sa.Column("face_detections", sa.Integer(), nullable=False),
        sa.Column("tracks", sa.Integer(), nullable=False),
        sa.Column("embeddings", sa.Integer(), nullable=False),
        sa.Column("fps", sa.Float(), nullable=False),
        sa.Column("updated_at", moment, nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("deployment_id", "camera"),
    )


def downgrade() -> None:
    op.drop_table("edge_camera_counts")
    op.drop_table("edge_runs")
    op.drop_column("edge_nodes", "last_seen_at")
