"""Text with a NUL character is refused before it reaches the database, on every backend.

PostgreSQL cannot hold NUL (0x00) in text and fails the statement (a server error to the
client); SQLite stores it. Refusing it in one place, for every statement, gives the same clear
refusal everywhere: a name, search or reference typed with a NUL in it names nothing real.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, event

from lfr.errors import LfrError


class NulCharacterError(LfrError):
    """A text value holds the NUL character."""


def refuse_nul_text(engine: Engine) -> None:
    event.listen(engine, "before_cursor_execute", _check_parameters)


def _check_parameters(
    conn: object,
    cursor: object,
    statement: str,
    parameters: Any,
    context: object,
    executemany: bool,
) -> None:
    rows = parameters if executemany else [parameters]
    if any("\x00" in value for row in rows for value in _texts(row)):
        raise NulCharacterError("text may not contain the NUL character (\\x00)")


def _texts(row: Any) -> Iterator[str]:
    """The text values of one row of parameters (a mapping or a sequence; None for none)."""
    if isinstance(row, Mapping):
        values: Any = row.values()
    elif isinstance(row, Sequence) and not isinstance(row, str):
        values = row
    else:
        return
    yield from (value for value in values if isinstance(value, str))
