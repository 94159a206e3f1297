from __future__ import annotations

import threading

from sqlalchemy import text

from lfr.access.services import Services


def test_appended_chain_verifies(services: Services) -> None:
    with services.transaction() as session:
        for i in range(5):
            services.record(session, "ada", "test.action", f"thing:{i}", {"n": i})
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok and report.entries == 5


def test_altered_entry_is_named(services: Services) -> None:
    with services.transaction() as session:
        for i in range(4):
            services.record(session, "ada", "test.action", f"thing:{i}", {"n": i})
    with services.transaction() as session:
        session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"))
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.problem


def test_concurrent_appends_each_get_their_own_entry(services: Services) -> None:
    """Threads appending at once (requests, the purge, the cameras in ``lfr serve``) never take
    the same sequence number: on SQLite as on PostgreSQL, every append succeeds."""
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        for i in range(25):
            try:
                with services.transaction() as session:
                    session.execute(text("SELECT 1"))  # a read first, as a service does
                    services.record(session, f"worker-{worker}", "test.action", "t", {"i": i})
            except BaseException as exc:
                errors.append(exc)

    workers = [threading.Thread(target=append_many, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with services.transaction() as session:
        report = services.audit.verify(session)
    assert report.ok and report.entries == 100
