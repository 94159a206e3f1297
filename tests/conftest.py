"""For every test: the database fixtures (``tests/databases.py``) and account passwords hashed
at test strength.

The product hashes with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, three
passes, about 0.1 s a login here). In-process tests log in thousands of times, so they hash
with one pass over 8 MiB instead: the same argon2id code, the parameters in the hash. The bus
passwords nats-server checks are bcrypt-hashed at cost 4, not 11 (nats-server verifies one at
every connection). A test marked ``real_password_hashing`` keeps the product's parameters;
``lfr`` in a subprocess always has them.
"""

from __future__ import annotations

import pytest

from lfr.events import nats_auth
from lfr.governance import users
from tests.password_strength import TEST_STRENGTH

pytest_plugins = ("tests.databases",)
"""A database per test on SQLite and PostgreSQL (its docstring says how)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_password_hashing: the product's argon2 and bcrypt parameters"
    )
    config.addinivalue_line(
        "markers", "backends(*names): the database backends a module's tests run on"
    )


SLOWEST_FIRST = ("e2e", "browser", "gov", "api", "unit")
"""Test folders in the order the workers take their files: the long end-to-end files first,
so the short ones fill in at the end and no worker is left running one alone."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def folder_rank(item: pytest.Item) -> int:
        parts = item.path.parts
        folder = parts[parts.index("tests") + 1] if "tests" in parts else ""
        return SLOWEST_FIRST.index(folder) if folder in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=folder_rank)  # stable: each file's tests stay together, in order


@pytest.fixture(autouse=True)
def _test_strength_password_hashes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(users, "_HASHER", TEST_STRENGTH)
        monkeypatch.setattr(nats_auth, "BCRYPT_COST", 4)  # bcrypt's least; the product's is 11
