"""Audit appends are serialised on every backend (issue 10, "faces fail to load": two officers
opening alert pictures at once hit ``UNIQUE constraint failed: audit_log.seq`` on SQLite).

Threads with their own sessions start at the same instant, each reading first as a service
does (so a stale "last entry" would be read if nothing took the lock): on SQLite and on
PostgreSQL no append fails, none is lost, the sequence has no gap and the chain verifies."""

from __future__ import annotations

import threading

from sqlalchemy import select, text

from lfr.access.services import Services
from lfr.store.tables import AuditEntry
from tests.gov.factories import assert_chain_ok

WORKERS = 6
EACH = 15


def test_simultaneous_appends_lose_nothing_and_the_chain_verifies(services: Services) -> None:
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        start.wait()
        for i in range(EACH):
            try:
                with services.transaction() as session:
                    session.execute(select(AuditEntry.seq).limit(1)).all()  # read first
                    session.execute(text("SELECT 1"))
                    services.record(session, f"worker-{worker}", "test.append", f"n:{i}", {"i": i})
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with services.transaction() as session:
        rows = session.execute(select(AuditEntry.seq, AuditEntry.actor, AuditEntry.target)).all()
    assert sorted(seq for seq, _, _ in rows) == list(range(1, WORKERS * EACH + 1))
    written = {(actor, target) for _, actor, target in rows}
    assert written == {(f"worker-{w}", f"n:{i}") for w in range(WORKERS) for i in range(EACH)}
    assert_chain_ok(services)
