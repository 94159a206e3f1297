"""deployments.faces_seen -> face_detections

"Faces seen" is what the published record calls distinct faces (tracks), as the Met publishes
it; the column summed face detections over frames, so it is renamed to say so. The values do
not change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deployments") as batch_op:
        batch_op.alter_column(
            "faces_seen",
            new_column_name="face_detections",
            existing_type=sa.Integer(),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("deployments") as batch_op:
        batch_op.alter_column(
            "face_detections",
            new_column_name="faces_seen",
            existing_type=sa.Integer(),
            existing_nullable=False,
        )
