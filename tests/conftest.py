"""For every test: the database fixtures (``tests/databases.py``) and account passwords hashed
at test strength.

The product hashes with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, three
passes, about 0.1 s a login here). In-process tests log in thousands of times, so they hash
with one pass over 8 MiB instead: the same argon2id code, the parameters in the hash. A test
marked ``real_password_hashing`` keeps the product's hasher; ``lfr`` in a subprocess always
has it.
"""

from __future__ import annotations

import pytest

from lfr.governance import users
from tests.password_strength import TEST_STRENGTH

pytest_plugins = ("tests.databases",)
"""A database per test on SQLite and PostgreSQL (its docstring says how)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_password_hashing: hash with the product's argon2 parameters"
    )
    config.addinivalue_line(
        "markers", "backends(*names): the database backends a module's tests run on"
    )


@pytest.fixture(autouse=True)
def _test_strength_password_hashes(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr(users, "_HASHER", TEST_STRENGTH)
