"""Account passwords hashed at test strength (see ``tests/conftest.py``)."""

from __future__ import annotations

from argon2 import PasswordHasher

TEST_STRENGTH = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
"""argon2id with one pass over 8 MiB: the product's code, cheaper parameters."""
