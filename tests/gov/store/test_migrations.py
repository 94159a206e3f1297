"""The schema migrations keep the data, on SQLite and PostgreSQL: 0002 renames
deployments.faces_seen (face detections) to face_detections, and back on downgrade; 0003 adds
the session, assignment and failed-login tables and assigns each operator planner."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from lfr.store.db import alembic_config

# Only the columns 0001 requires without a default; the rest may be NULL or are filled here.
INSERT_0001 = """
INSERT INTO watchlists (id, name, created_at, created_by) VALUES (1, 'wl', :t, 'wendy');
INSERT INTO deployments (
    id, name, purpose, location_name, latitude, longitude, area_description, starts_at,
    ends_at, cameras, watchlist_id, threshold, dpia_reference, state, planner, created_at,
    emergency, snapshot_size, frames, faces_seen, tracks
) VALUES (
    1, 'd', 'p', 'loc', 51.5, -0.1, 'area', :t, :t, '{}', 1, 0.5, 'DPIA-1', 'ended', 'olive',
    :t, false, 0, 900, 300, 40
);
"""


def _columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("deployments")}
    finally:
        engine.dispose()


def _counts(url: str, column: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(f"SELECT frames, {column}, tracks FROM deployments")).one()
            return int(row[0]), int(row[1]), int(row[2])
    finally:
        engine.dispose()


def test_0002_renames_faces_seen_to_face_detections_and_keeps_the_counts(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0001")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for statement in filter(str.strip, INSERT_0001.split(";")):
            conn.execute(text(statement), {"t": "2026-12-01 10:00:00+00:00"})
    engine.dispose()

    command.upgrade(config, "head")
    assert {"face_detections", "tracks"} <= _columns(database_url)
    assert "faces_seen" not in _columns(database_url)
    assert _counts(database_url, "face_detections") == (900, 300, 40)

    command.downgrade(config, "0001")
    assert "faces_seen" in _columns(database_url)
    assert _counts(database_url, "faces_seen") == (900, 300, 40)


INSERT_0002 = """
INSERT INTO users (id, username, password_hash, role, active, failed_logins, created_at,
    created_by) VALUES
    (1, 'olive', 'x', 'operator', true, 0, :t, 'ada'),
    (2, 'arthur', 'x', 'authorising_officer', true, 0, :t, 'ada');
INSERT INTO watchlists (id, name, created_at, created_by) VALUES (1, 'wl', :t, 'wendy');
INSERT INTO deployments (
    id, name, purpose, location_name, latitude, longitude, area_description, starts_at,
    ends_at, cameras, watchlist_id, threshold, dpia_reference, state, planner, created_at,
    emergency, snapshot_size, frames, face_detections, tracks
) VALUES
    (1, 'd', 'p', 'loc', 51.5, -0.1, 'area', :t, :t, '{}', 1, 0.5, 'DPIA-1', 'live', 'olive',
     :t, false, 0, 0, 0, 0),
    (2, 'e', 'p', 'loc', 51.5, -0.1, 'area', :t, :t, '{}', 1, 0.5, 'DPIA-2', 'draft', 'arthur',
     :t, false, 0, 0, 0, 0);
"""
NEW_IN_0003 = {"auth_sessions", "deployment_assignments", "login_failure_windows"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_0003_adds_sessions_assignments_and_failure_windows_and_assigns_officer_planners(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0002")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for statement in filter(str.strip, INSERT_0002.split(";")):
            conn.execute(text(statement), {"t": "2026-12-01 10:00:00+00:00"})
    engine.dispose()

    command.upgrade(config, "0003")
    assert _tables(database_url) >= NEW_IN_0003
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            assigned = conn.execute(
                text("SELECT deployment_id, username, assigned_by FROM deployment_assignments")
            ).all()
    finally:
        engine.dispose()
    # the operator who planned deployment 1 keeps its alerts; a supervisor needs no assignment
    assert [tuple(row) for row in assigned] == [(1, "olive", "system")]

    command.downgrade(config, "0002")
    assert not NEW_IN_0003 & _tables(database_url)
    assert {"users", "deployments"} <= _tables(database_url)
