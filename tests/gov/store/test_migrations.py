"""The schema migrations keep the data, on SQLite and PostgreSQL: 0002 renames
deployments.faces_seen (face detections) to face_detections, and back on downgrade; 0003 adds
the session, assignment and failed-login tables and assigns each operator planner; 0006 adds
the lookalike negatives, the alerts' sealed descriptors and the suppressed count."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from lfr.store.db import SCHEMA_HEAD, alembic_config, migrate, schema_revision

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


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """These tests build the schema themselves: they start from a database with none."""
    return empty_database_url


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


NEW_IN_0005 = {"site_settings", "record_revisions"}


def test_0005_adds_site_settings_and_record_revisions_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0004")
    assert not NEW_IN_0005 & _tables(database_url)

    command.upgrade(config, "0005")
    assert _tables(database_url) >= NEW_IN_0005
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO site_settings (id, force_name, contact, complaints, time_zone,"
                    " updated_at, updated_by) VALUES (1, 'Met', '', '', 'Europe/London', :t, 'ada')"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
            zone = conn.execute(text("SELECT time_zone FROM site_settings")).scalar_one()
    finally:
        engine.dispose()
    assert zone == "Europe/London"

    command.downgrade(config, "0004")
    assert not NEW_IN_0005 & _tables(database_url)
    assert {"deployments", "deployment_records"} <= _tables(database_url)


def test_0004_adds_alert_media_views_keyed_by_session_alert_and_picture(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0003")
    assert "alert_media_views" not in _tables(database_url)

    command.upgrade(config, "0004")
    assert "alert_media_views" in _tables(database_url)
    engine = create_engine(database_url)
    insert = text(
        "INSERT INTO alert_media_views (session_id, alert_id, picture, viewed_at)"
        " VALUES ('s1', 'a1', :picture, :t)"
    )
    try:
        with engine.begin() as conn:
            for picture in ("probe", "enrolled"):
                conn.execute(insert, {"picture": picture, "t": "2026-12-01 10:00:00+00:00"})
        # one row per (session, alert, picture)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert, {"picture": "probe", "t": "2026-12-01 10:01:00+00:00"})
    finally:
        engine.dispose()

    command.downgrade(config, "0003")
    assert "alert_media_views" not in _tables(database_url)
    assert {"alerts", "auth_sessions"} <= _tables(database_url)


def _alert_columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("alerts")}
    finally:
        engine.dispose()


def test_0006_adds_lookalike_negatives_and_descriptors_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0005")
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for statement in filter(str.strip, INSERT_0002.split(";")):
            conn.execute(text(statement), {"t": "2026-12-01 10:00:00+00:00"})
    engine.dispose()

    command.upgrade(config, "0006")
    assert "lookalike_negatives" in _tables(database_url)
    assert "probe_descriptor_enc" in _alert_columns(database_url)
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            suppressed = conn.execute(
                text("SELECT lookalikes_suppressed FROM deployments ORDER BY id")
            ).scalars()
            assert list(suppressed) == [0, 0]  # existing deployments suppressed nothing
    finally:
        engine.dispose()

    command.downgrade(config, "0005")
    assert "lookalike_negatives" not in _tables(database_url)
    assert "probe_descriptor_enc" not in _alert_columns(database_url)
    assert "lookalikes_suppressed" not in _columns(database_url)


def test_0007_adds_the_edge_node_registry_and_removes_it_on_downgrade(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0006")
    assert "edge_nodes" not in _tables(database_url)
    command.upgrade(config, "0007")
    assert "edge_nodes" in _tables(database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO edge_nodes (name, password_hash, key_enc, created_at,"
                    " created_by) VALUES ('node1', '$2b$11$x', :k, :t, 'ada')"
                ),
                {"t": "2026-12-01 10:00:00+00:00", "k": b"sealed"},
            )
    finally:
        engine.dispose()
    command.downgrade(config, "0006")
    assert "edge_nodes" not in _tables(database_url)
    assert {"users", "deployments"} <= _tables(database_url)


def _entry_columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("watchlist_entries")}
    finally:
        engine.dispose()


_0008_DEPLOYMENT = {"objective", "expected_footfall", "threshold_reason", "pinned_documents"}
_0008_ENTRY = {
    "offence",
    "max_sentence_years",
    "date_of_birth",
    "child_reason",
    "child_approved_by",
    "child_approved_at",
}


def test_0008_adds_documents_evaluations_and_the_issue_11_columns_and_removes_them(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0007")
    assert not {"documents", "evaluation_reports"} & _tables(database_url)
    command.upgrade(config, "0008")
    assert {"documents", "evaluation_reports"} <= _tables(database_url)
    assert _columns(database_url) >= _0008_DEPLOYMENT
    assert _entry_columns(database_url) >= _0008_ENTRY
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            insert = (
                "INSERT INTO documents (kind, version, title, sha256, review_by, created_at,"
                " created_by) VALUES ('dpia', '1', 't', :h, '2026-06-01', :t, 'ada')"
            )
            values = {"h": "0" * 64, "t": "2026-12-01 10:00:00+00:00"}
            conn.execute(text(insert), values)
        with pytest.raises(IntegrityError), engine.begin() as conn:  # one row per kind+version
            conn.execute(text(insert), values)
    finally:
        engine.dispose()
    command.downgrade(config, "0007")
    assert not {"documents", "evaluation_reports"} & _tables(database_url)
    assert not _0008_DEPLOYMENT & _columns(database_url)
    assert not _0008_ENTRY & _entry_columns(database_url)


def test_0009_adds_deployment_keys_and_authority_requests_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0008")
    assert not {"deployment_keys", "authority_requests"} & _tables(database_url)
    command.upgrade(config, "0009")
    assert {"deployment_keys", "authority_requests"} <= _tables(database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            for statement in INSERT_0001.strip().split(";")[:1]:  # the watchlist
                conn.execute(text(statement), {"t": "2026-12-01 10:00:00+00:00"})
            conn.execute(
                text(
                    "INSERT INTO deployments (id, name, purpose, location_name, latitude,"
                    " longitude, area_description, starts_at, ends_at, cameras, watchlist_id,"
                    " threshold, dpia_reference, state, planner, created_at, emergency,"
                    " snapshot_size, frames, face_detections, tracks)"
                    " VALUES (1, 'd', 'p', 'loc', 51.5, -0.1, 'a', :t, :t, '{}', 1, 0.5, 'D',"
                    " 'live', 'olive', :t, false, 0, 0, 0, 0)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO deployment_keys (deployment_id, key_id, key_enc, created_at)"
                    " VALUES (1, 'k1', :k, :t)"
                ),
                {"t": "2026-12-01 10:00:00+00:00", "k": b"sealed"},
            )
            conn.execute(
                text(
                    "INSERT INTO authority_requests (deployment_id, justification_harm,"
                    " justification_rights, requested_by, requested_at, urgent_started_at,"
                    " cameras) VALUES (1, 'harm', 'rights', 'olive', :t, :t, :c)"
                ),
                {"t": "2026-12-01 10:00:00+00:00", "c": '["cam-1"]'},
            )
    finally:
        engine.dispose()
    command.downgrade(config, "0008")
    assert not {"deployment_keys", "authority_requests"} & _tables(database_url)
    assert {"users", "deployments"} <= _tables(database_url)


def _user_columns(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return {column["name"] for column in inspect(engine).get_columns("users")}
    finally:
        engine.dispose()


def test_0010_adds_training_verdicts_encounters_and_live_facts_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0009")
    assert "encounters" not in _tables(database_url)
    command.upgrade(config, "0010")
    assert "encounters" in _tables(database_url)
    assert "training_until" in _user_columns(database_url)
    assert {"first_verdict", "outcome_corroboration"} <= _alert_columns(database_url)
    assert "live_facts" in _columns(database_url)
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(INSERT_0001.split(";")[0]), {"t": "2026-12-01 10:00:00+00:00"})
            conn.execute(
                text(
                    "INSERT INTO deployments (id, name, purpose, location_name, latitude,"
                    " longitude, area_description, starts_at, ends_at, cameras, watchlist_id,"
                    " threshold, dpia_reference, state, planner, created_at, emergency,"
                    " snapshot_size, frames, face_detections, tracks)"
                    " VALUES (1, 'd', 'p', 'loc', 51.5, -0.1, 'a', :t, :t, '{}', 1, 0.5, 'D',"
                    " 'live', 'olive', :t, false, 0, 0, 0, 0)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO encounters (alert_id, deployment_id, officer, stopped,"
                    " started_at, ended_at, identity_check, identity_check_detail, outcome,"
                    " reason, recorded_at) VALUES (NULL, 1, 'fred', true, :t, :t, 'none', '',"
                    " 'no_action', 'covering their face', :t)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
    finally:
        engine.dispose()
    command.downgrade(config, "0009")
    assert "encounters" not in _tables(database_url)
    assert "training_until" not in _user_columns(database_url)
    assert not {"first_verdict", "outcome_corroboration"} & _alert_columns(database_url)
    assert "live_facts" not in _columns(database_url)


def test_0011_adds_edge_runs_camera_counts_and_last_seen_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0010")
    assert not {"edge_runs", "edge_camera_counts"} & _tables(database_url)
    command.upgrade(config, "0011")
    assert {"edge_runs", "edge_camera_counts"} <= _tables(database_url)
    engine = create_engine(database_url)
    try:
        assert "last_seen_at" in {c["name"] for c in inspect(engine).get_columns("edge_nodes")}
        with engine.begin() as conn:
            conn.execute(text(INSERT_0001.split(";")[0]), {"t": "2026-12-01 10:00:00+00:00"})
            conn.execute(
                text(
                    "INSERT INTO deployments (id, name, purpose, location_name, latitude,"
                    " longitude, area_description, starts_at, ends_at, cameras, watchlist_id,"
                    " threshold, dpia_reference, state, planner, created_at, emergency,"
                    " snapshot_size, frames, face_detections, tracks)"
                    " VALUES (1, 'd', 'p', 'loc', 51.5, -0.1, 'a', :t, :t, '{}', 1, 0.5, 'D',"
                    " 'live', 'olive', :t, false, 0, 0, 0, 0)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO edge_runs (deployment_id, node, start_sent_at) VALUES (1, 'n', :t)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
            conn.execute(
                text(
                    "INSERT INTO edge_camera_counts (deployment_id, camera, node, run, frames,"
                    " frames_dropped, face_detections, tracks, embeddings, fps, updated_at)"
                    " VALUES (1, 'cam1', 'n', 'r', 10, 0, 5, 1, 1, 12.5, :t)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
        with pytest.raises(IntegrityError), engine.begin() as conn:  # one row per run
            conn.execute(
                text(
                    "INSERT INTO edge_runs (deployment_id, node, start_sent_at) VALUES (1, 'n', :t)"
                ),
                {"t": "2026-12-01 10:00:00+00:00"},
            )
    finally:
        engine.dispose()
    command.downgrade(config, "0010")
    assert not {"edge_runs", "edge_camera_counts"} & _tables(database_url)
    assert "edge_runs" not in _tables(database_url)


def test_0012_adds_the_snapshot_references_of_a_deployment_and_removes_them_on_downgrade(
    database_url: str,
) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, "0011")
    assert "snapshot_references" not in _columns(database_url)
    command.upgrade(config, "0012")
    assert "snapshot_references" in _columns(database_url)
    command.downgrade(config, "0011")
    assert "snapshot_references" not in _columns(database_url)


def test_the_schema_head_named_in_the_code_is_alembics_head(database_url: str) -> None:
    """``migrate`` skips Alembic for a database at ``SCHEMA_HEAD``: a new migration must move it
    (else databases would never get the new migration)."""
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    assert scripts.get_current_head() == SCHEMA_HEAD
    assert schema_revision(database_url) is None
    migrate(database_url)
    assert schema_revision(database_url) == SCHEMA_HEAD
    command.downgrade(alembic_config(database_url), "0011")
    migrate(database_url)  # an older schema still goes through Alembic
    assert schema_revision(database_url) == SCHEMA_HEAD
