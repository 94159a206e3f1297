"""The schema migrations keep the data: 0002 renames deployments.faces_seen (face detections)
to face_detections on SQLite and PostgreSQL, and back on downgrade."""

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
