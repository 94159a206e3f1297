"""Lookalike negatives ("not this person").

- alerts.probe_descriptor_enc: the probe's descriptor of each alert (sealed, as the crops are),
  kept only while its deployment is live and wiped with the snapshot.
- lookalike_negatives: the descriptor of each alert an operator rejected, for its subject, so
  that the same lookalike does not alert again for that subject in that deployment; wiped with
  the snapshot when the deployment ends.
- deployments.lookalikes_suppressed: how many tracks a negative kept from alerting (a count).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(sa.Column("probe_descriptor_enc", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("deployments") as batch_op:
        batch_op.add_column(
            sa.Column("lookalikes_suppressed", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "lookalike_negatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=False),
        sa.Column("subject_reference", sa.String(length=100), nullable=False),
        sa.Column("descriptor_enc", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", lfr.store.tables.UtcDateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id"),
    )
    with op.batch_alter_table("lookalike_negatives") as batch_op:
        batch_op.create_index(batch_op.f("ix_lookalike_negatives_deployment_id"), ["deployment_id"])


def downgrade() -> None:
    with op.batch_alter_table("lookalike_negatives") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lookalike_negatives_deployment_id"))
    op.drop_table("lookalike_negatives")
    with op.batch_alter_table("deployments") as batch_op:
        batch_op.drop_column("lookalikes_suppressed")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_column("probe_descriptor_enc")
