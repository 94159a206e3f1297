"""Jurisdiction profiles, part I: training records, blind two-person verification, encounters.

- users.training_until: the end of a user's current training record (EU AI Act Art. 14(5):
  verifiers need the necessary training); NULL means none.
- alerts.first_verdict: the first verifier's verdict, kept apart from the status so that a
  blind second verifier cannot read it from the alert; alerts.outcome_corroboration: what
  corroborated an arrest (no arrest on the match alone).
- encounters: what happened on the ground, for every alert and for stops no alert caused.
- deployments.live_facts: what the published record needs of the frozen watchlist (entries by
  category, under-18 entries) and the profile in force, kept when it goes live because the
  snapshot itself is wiped at the end.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    moment = lfr.store.tables.UtcDateTime(timezone=True)
    op.add_column("users", sa.Column("training_until", moment, nullable=True))
    op.add_column("alerts", sa.Column("first_verdict", sa.String(length=20), nullable=True))
    op.add_column("alerts", sa.Column("outcome_corroboration", sa.Text(), nullable=True))
    op.add_column("deployments", sa.Column("live_facts", sa.JSON(), nullable=True))
    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=True),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("officer", sa.String(length=64), nullable=False),
        sa.Column("stopped", sa.Boolean(), nullable=False),
        sa.Column("started_at", moment, nullable=False),
        sa.Column("ended_at", moment, nullable=True),
        sa.Column("identity_check", sa.String(length=30), nullable=False),
        sa.Column("identity_check_detail", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", moment, nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("alert_id"),
    )
    op.create_index("ix_encounters_deployment_id", "encounters", ["deployment_id"])


def downgrade() -> None:
    op.drop_index("ix_encounters_deployment_id", table_name="encounters")
    op.drop_table("encounters")
    op.drop_column("deployments", "live_facts")
    op.drop_column("alerts", "outcome_corroboration")
    op.drop_column("alerts", "first_verdict")
    op.drop_column("users", "training_until")
