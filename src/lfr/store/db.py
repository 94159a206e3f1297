"""Database engine, sessions and migrations. Nothing is created at import time.

SQLite in the data directory is the embedded default; PostgreSQL is chosen by URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from lfr.store.text_guard import refuse_nul_text

MIGRATIONS = Path(__file__).with_name("migrations")
SCHEMA_HEAD = "0013"
"""The newest migration's revision (a test holds it to Alembic's head): a database already at
it needs no Alembic run, which loads every migration script (each ``lfr`` command opens the
database, so that was start-up time on every command)."""


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'lfr.sqlite3'}"


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True)
    refuse_nul_text(engine)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def schema_revision(url: str) -> str | None:
    """The database's Alembic revision; None when it has no schema yet."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            return revision.scalar_one_or_none()
    finally:
        engine.dispose()


def migrate(url: str) -> None:
    """Bring the schema to the newest migration (idempotent; a database already at the head is
    only read, not handed to Alembic)."""
    if schema_revision(url) != SCHEMA_HEAD:
        command.upgrade(alembic_config(url), "head")


class Database:
    """The engine plus a transactional session scope: commit on success, roll back on error,
    so a refused or failed action never leaves a partial write."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
