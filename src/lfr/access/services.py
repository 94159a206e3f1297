"""What every service call needs: the database, the cipher, the audit trail and the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lfr.store.crypto import DataCipher
from lfr.store.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


class AuditTrail(Protocol):
    """Where security-relevant actions are written (``lfr.audit.log.AuditLog``), in the
    caller's transaction so an action and its entry commit together or not at all."""

    def append(
        self,
        session: Session,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> Any: ...


@dataclass(frozen=True)
class Services:
    db: Database
    cipher: DataCipher
    audit: AuditTrail
    data_dir: Path
    clock: Callable[[], datetime] = utc_now
    media_dirs: tuple[Path, ...] = ()
    """Where a camera's local video files may come from (empty: ``<data dir>/media``)."""
    edge_bus: bool | None = None
    """Whether this control centre is connected to its edge nodes over NATS (``lfr serve
    --nats``); None where it is not known (a CLI command, apart from the serving centre)."""

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.db.transaction() as session:
            yield session

    def record(
        self,
        session: Session,
        actor: str,
        action: str,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.audit.append(session, actor, action, target, details)
