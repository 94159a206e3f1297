"""A database per test on both backends, without migrating per test.

Running the 12 Alembic migrations cost 0.2-0.45 s; a test's own work often costs less. So each
pytest-xdist worker migrates once and every test starts from that:
- SQLite: a copy of one migrated file (a millisecond);
- PostgreSQL: one migrated database per worker, emptied before each test (every table
  deleted, every sequence restarted, other connections to it closed: 15 ms, where a database
  made from a template cost 140 ms, most of it copying the system catalogues).
``empty_database_url`` is a database with no schema at all, made afresh (the migration and
``lfr init`` tests).

PostgreSQL comes from $LFR_TEST_PG_URL (``.ci/run`` installs and starts it); its role needs
CREATEDB (``scripts/postgres.sh`` grants it). Without it the PostgreSQL half fails with a
message; it is not skipped, so a green run covers both.

A module whose tests cannot tell the backends apart (policy, pages and HTTP above services
that other tests run on both) sets ``pytestmark = pytest.mark.backends("sqlite")`` and says
why in its docstring.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from lfr.store.db import migrate
from lfr.store.tables import Base

BACKENDS = ("sqlite", "postgresql")


def backends_of(metafunc: pytest.Metafunc) -> tuple[str, ...]:
    """The backends a test runs on: both, or those its module's ``backends`` mark names;
    $LFR_TEST_BACKENDS (``scripts/test.sh --quick`` sets "sqlite") narrows every test's."""
    marker = metafunc.definition.get_closest_marker("backends")
    chosen = tuple(marker.args) if marker is not None else BACKENDS
    unknown = set(chosen) - set(BACKENDS)
    if not chosen or unknown:
        raise pytest.UsageError(f"backends mark: {chosen} (choose from {BACKENDS})")
    narrowed = os.environ.get("LFR_TEST_BACKENDS")
    if narrowed:
        return tuple(name for name in chosen if name in narrowed.split(","))
    return chosen


def postgres_url() -> str:
    url = os.environ.get("LFR_TEST_PG_URL")
    if not url:
        pytest.fail(
            "LFR_TEST_PG_URL is not set (./scripts/test.sh starts PostgreSQL and sets it)",
            pytrace=False,
        )
    return url


def _worker() -> str:
    """This pytest-xdist worker's name ("gw0", ...), "main" without xdist: each worker keeps
    databases of its own."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _on_database(base: str, name: str) -> str:
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def _create_database(admin: Engine, name: str) -> None:
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except DBAPIError as exc:
        pytest.fail(
            f"cannot create a test database on LFR_TEST_PG_URL ({exc.orig}); is the server"
            " up, and may its role CREATEDB? (./scripts/postgres.sh starts it and grants that)",
            pytrace=False,
        )


def _drop_database(admin: Engine, name: str) -> None:
    """Dropped; a test that left a connection open has it closed first."""
    with admin.connect() as conn:
        try:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        except DBAPIError:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """The test server's own database, outside transactions (CREATE and DROP DATABASE)."""
    admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per worker, its write-ahead log folded in: copying the file
    copies the whole schema."""
    path = tmp_path_factory.mktemp("template") / "lfr.sqlite3"
    migrate(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


@pytest.fixture(scope="session")
def migrated_postgres(postgres_admin: Engine) -> Iterator[PostgresDatabase]:
    """This worker's migrated PostgreSQL database, dropped at the end of the run."""
    name = f"lfr_w_{_worker()}_{uuid.uuid4().hex[:8]}"
    _create_database(postgres_admin, name)
    database = PostgresDatabase(_on_database(postgres_url(), name))
    try:
        migrate(database.url)
        yield database
    finally:
        database.engine.dispose()
        _drop_database(postgres_admin, name)


class PostgresDatabase:
    """A migrated database that ``empty`` returns to its state just after the migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)
        self._reset: str | None = None

    def empty(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(self._reset_sql(conn)))

    def _reset_sql(self, conn: Connection) -> str:
        if self._reset is None:
            sequences = conn.execute(
                text(
                    "SELECT sequence_name FROM information_schema.sequences"
                    " WHERE sequence_schema = current_schema()"
                )
            )
            # Children before parents, so no foreign key is ever left dangling.
            deletes = [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
            restarts = [f'ALTER SEQUENCE "{name}" RESTART' for (name,) in sequences]
            closes = [  # a test's leftover connections (never the server's autovacuum)
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND usename = current_user"
            ]
            self._reset = "; ".join(closes + deletes + restarts)
        return self._reset


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """The database: "sqlite" or "postgresql" (``pytest_generate_tests`` chooses)."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database at the newest schema, of this test's own."""
    if db_backend == "sqlite":
        copy = tmp_path / "lfr.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), copy)
        return f"sqlite:///{copy}"
    database: PostgresDatabase = request.getfixturevalue("migrated_postgres")
    database.empty()
    return database.url


@pytest.fixture
def empty_database_url(
    db_backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A database with no schema at all, made for this test."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'lfr.sqlite3'}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    name = f"lfr_t_{_worker()}_{uuid.uuid4().hex[:12]}"
    _create_database(admin, name)
    try:
        yield _on_database(postgres_url(), name)
    finally:
        _drop_database(admin, name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test that asks for a database runs once per backend (``backends_of``)."""
    if "db_backend" in metafunc.fixturenames:
        metafunc.parametrize("db_backend", backends_of(metafunc), indirect=True)
