"""Governance tests run against SQLite and PostgreSQL, each test on a database of its own
(``tests/databases.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lfr.access.roles import Actor, Role
from lfr.access.services import Services
from lfr.app import build_services, init_data_dir
from lfr.config import Settings


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
