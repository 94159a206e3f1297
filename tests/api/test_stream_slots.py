"""Live alert streams are capped per account and in all: over the cap the next connection is
refused at once with Retry-After (429 for the account, 503 for the server), and a slot freed by a
client that leaves is taken again.

SQLite only: the web layer (routes, roles, pages, forms, JSON shapes) above governance services
whose own tests in tests/gov run on both backends; nothing here reaches the store in a way the
engines treat differently.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from lfr.access.services import Services
from lfr.api import WebConfig, create_app
from lfr.api.stream_slots import StreamsBusyError, StreamSlots
from lfr.events import InMemoryEventBus
from tests.api.helpers import FakeEnroller, LiveServer, SseReader
from tests.gov.factories import add_users
from tests.waiting import wait_until

pytestmark = pytest.mark.backends("sqlite")

STREAM = "/api/alerts/stream"


def test_the_next_stream_over_a_cap_is_refused_and_a_freed_slot_taken_again(
    services: Services, bus: InMemoryEventBus, web_config: WebConfig
) -> None:
    add_users(services)
    config = replace(
        web_config, max_alert_streams=2, max_alert_streams_per_user=1, stream_retry_after_s=7
    )
    server = LiveServer(create_app(services, bus, config, enroller=FakeEnroller))
    server.start()
    fred, olive, oscar = (server.token(name) for name in ("fred", "olive", "oscar"))
    url = server.url + STREAM
    first = SseReader(url, fred).start()
    try:
        again = httpx.get(url, headers=fred)
        assert again.status_code == 429 and again.headers["retry-after"] == "7"
        assert "too many live alert streams for this account" in again.json()["detail"]
        second = SseReader(url, olive).start()  # another account still gets in...
        try:
            assert second.status == 200
            full = httpx.get(url, headers=oscar)  # ...until the server is full
            assert full.status_code == 503 and full.headers["retry-after"] == "7"
            assert set(full.json()) == {"detail"}
        finally:
            second.close()
        first.close()

        def reconnected() -> bool:
            reader = SseReader(url, fred).start()
            reader.close()
            return reader.status == 200

        wait_until(reconnected, what="fred's freed slot being taken again")
    finally:
        first.close()
        server.stop()


def test_slots_are_counted_per_account_and_given_back_once() -> None:
    slots = StreamSlots(limit=3, per_user=2, retry_after_s=5)
    held = [slots.acquire("fred"), slots.acquire("fred"), slots.acquire("olive")]
    with pytest.raises(StreamsBusyError) as refused:
        slots.acquire("oscar")
    assert refused.value.status_code == 503
    held[0].release()
    held[0].release()  # a second release gives nothing back
    assert (slots.open("fred"), slots.open()) == (1, 2)
    held.append(slots.acquire("olive"))  # the server is full again, and so is olive
    with pytest.raises(StreamsBusyError) as too_many:
        slots.acquire("olive")
    assert too_many.value.status_code == 429
    assert too_many.value.headers == {"Retry-After": "5"}
