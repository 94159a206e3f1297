"""For every test: the database fixtures (``tests/databases.py``), account passwords hashed
at test strength, and tests marked ``alone`` run with the other pytest workers paused.

The product hashes with argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, three
passes, about 0.1 s a login here). In-process tests log in thousands of times, so they hash
with one pass over 8 MiB instead: the same argon2id code, the parameters in the hash. The bus
passwords nats-server checks are bcrypt-hashed at cost 4, not 11 (nats-server verifies one at
every connection). A test marked ``real_password_hashing`` keeps the product's parameters;
``lfr`` in a subprocess always has them.
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lfr.edge.credentials import passwords as nats_auth
from lfr.governance.accounts import users
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
    config.addinivalue_line(
        "markers", "alone: runs with every other pytest worker paused (a real-time camera)"
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    """A test marked ``alone`` (a camera playing a clip in real time that must raise its alert:
    a frame picked up late is carried, not searched, so a busy neighbour can cost the alert)
    runs, set-up and tear-down included, while no other worker runs a test; the others wait
    at their next test."""
    with _turn(item):
        return (yield)


@contextmanager
def _turn(item: pytest.Item) -> Iterator[None]:
    """A readers-writer lock across this run's workers: each test holds it shared, an ``alone``
    test exclusively; the turnstile keeps a waiting ``alone`` test from being starved."""
    worker_input = getattr(item.config, "workerinput", None)
    if worker_input is None:  # one process: nothing runs beside it
        yield
        return
    base = Path(tempfile.gettempdir()) / f"openlfr-tests-{worker_input['testrunuid']}"
    mode = fcntl.LOCK_EX if item.get_closest_marker("alone") else fcntl.LOCK_SH
    with open(f"{base}.turnstile", "a") as turnstile, open(f"{base}.lock", "a") as lock:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        fcntl.flock(lock, mode)
        fcntl.flock(turnstile, fcntl.LOCK_UN)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
