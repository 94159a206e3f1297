"""Sessions and tokens in the database; officers assigned to deployments; failed logins counted
per window.

- auth_sessions: a row per page session or bearer token, so a logout or a revocation (new
  password, new role, account disabled) survives a restart. Tokens issued before this revision
  have no row and must log in again.
- deployment_assignments: which operators and field officers read a deployment's alerts.
  Existing deployments get their planner assigned, so the officer who planned one keeps it.
- login_failure_windows: failed logins counted per fixed window, audited as one entry each.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lfr.store.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The roles that need an assignment to read alerts (lfr.access.roles.ASSIGNED_ONLY, as of 0003).
_ASSIGNED_ONLY = ("operator", "field_officer")


def _when() -> lfr.store.tables.UtcDateTime:
    return lfr.store.tables.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("issued_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("revoked_at", _when(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.create_index(batch_op.f("ix_auth_sessions_username"), ["username"])
        batch_op.create_index(batch_op.f("ix_auth_sessions_expires_at"), ["expires_at"])

    op.create_table(
        "deployment_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("assigned_by", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("deployment_id", "username"),
    )
    with op.batch_alter_table("deployment_assignments") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deployment_assignments_deployment_id"), ["deployment_id"]
        )
        batch_op.create_index(batch_op.f("ix_deployment_assignments_username"), ["username"])

    op.create_table(
        "login_failure_windows",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("starts_at", _when(), nullable=False),
        sa.Column("ends_at", _when(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    _assign_planners()


def _assign_planners() -> None:
    """Before 0003 every officer read every deployment; the planner keeps theirs."""
    op.execute(
        sa.text(
            "INSERT INTO deployment_assignments (deployment_id, username, assigned_by, assigned_at)"
            " SELECT d.id, d.planner, 'system', d.created_at FROM deployments d"
            " JOIN users u ON u.username = d.planner"
            " WHERE u.role IN :roles"
        ).bindparams(sa.bindparam("roles", value=list(_ASSIGNED_ONLY), expanding=True))
    )


def downgrade() -> None:
    op.drop_table("login_failure_windows")
    with op.batch_alter_table("deployment_assignments") as batch_op:
        batch_op.drop_index(batch_op.f("ix_deployment_assignments_username"))
        batch_op.drop_index(batch_op.f("ix_deployment_assignments_deployment_id"))
    op.drop_table("deployment_assignments")
    with op.batch_alter_table("auth_sessions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_sessions_expires_at"))
        batch_op.drop_index(batch_op.f("ix_auth_sessions_username"))
    op.drop_table("auth_sessions")
