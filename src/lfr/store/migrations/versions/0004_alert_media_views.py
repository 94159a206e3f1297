"""Alert review: which pictures of which alert each login session has loaded.

- alert_media_views: one row per (session, alert, picture) the first time a session loads the
  probe crop or the enrolled image of an alert. Adjudication is refused until the session has
  loaded both (``lfr.governance.alerts.views``). No picture is stored here, only that it was
  shown; a new login must load the pictures again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_media_views",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("picture", sa.String(length=10), nullable=False),
        sa.Column("viewed_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "alert_id", "picture"),
    )
    with op.batch_alter_table("alert_media_views") as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_media_views_alert_id"), ["alert_id"])


def downgrade() -> None:
    with op.batch_alter_table("alert_media_views") as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_media_views_alert_id"))
    op.drop_table("alert_media_views")
