"""What every service call needs: the database, the cipher, the audit log and the clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lfr.audit.log import AuditLog
from lfr.governance.policy import Policy
from lfr.store.crypto import DataCipher
from lfr.store.db import Database
from lfr.store.tables import PolicyVersion


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    db: Database
    cipher: DataCipher
    audit: AuditLog
    data_dir: Path
    clock: Callable[[], datetime] = utc_now

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

    def policy(self, session: Session) -> Policy:
        """The policy in force: the newest stored version, or the defaults before any is set."""
        row = session.scalars(
            select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)
        ).first()
        return Policy.model_validate(row.body) if row else Policy()
