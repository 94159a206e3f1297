"""Governance tests run against SQLite and PostgreSQL.

PostgreSQL comes from $LFR_TEST_PG_URL (``.ci/run`` installs and starts it). Without it the
PostgreSQL half fails with a message - it is not skipped, so a green run covers both.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.app import build_services, init_data_dir
from lfr.config import Settings

BACKENDS = ["sqlite", "postgresql"]


def _postgres_url() -> str:
    url = os.environ.get("LFR_TEST_PG_URL")
    if not url:
        pytest.fail(
            "LFR_TEST_PG_URL is not set (./scripts/test.sh starts PostgreSQL and sets it)",
            pytrace=False,
        )
    return url


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'lfr.sqlite3'}"
        return
    base = _postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    init_data_dir(settings)
    services = build_services(settings, {})
    yield services
    services.db.dispose()


ADMIN = Actor("ada", Role.ADMIN)
MANAGER = Actor("wendy", Role.WATCHLIST_MANAGER)
AUTHORISER = Actor("arthur", Role.AUTHORISING_OFFICER)
AUTHORISER_2 = Actor("beth", Role.AUTHORISING_OFFICER)
OPERATOR = Actor("olive", Role.OPERATOR)
OPERATOR_2 = Actor("otto", Role.OPERATOR)
FIELD = Actor("fred", Role.FIELD_OFFICER)
OVERSIGHT = Actor("oscar", Role.OVERSIGHT)
JUDGE = Actor("judge-jones", Role.INDEPENDENT_AUTHORITY)
"""Outside the force (EU AI Act Art. 5(3)): not one of ``ALL_ACTORS``; tests add it."""
