"""The audit page in plain words, its filters, and verification with a known head: a mistyped
head is reported as such, a head cut from the chain as a break."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from lfr.access.services import Services
from tests.api.helpers import as_user
from tests.gov.factories import audit_entries

INVALID = "the head you typed is not valid: "


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="audit-row" data-seq="(\d+)"', page)


def _verify(client: TestClient, known_head: str | None = None) -> tuple[int, dict[str, object]]:
    response = client.post("/api/audit/verify", json={"known_head": known_head})
    body: dict[str, object] = response.json()
    return response.status_code, body


def test_entries_read_in_plain_words_with_times_to_the_second(app: FastAPI) -> None:
    oscar = as_user(app, "oscar")
    assert oscar.get("/api/audit/export", params={"format": "json"}).status_code == 200
    page = oscar.get("/oversight/audit", params={"action": "audit.export"}).text
    row = page[page.index('data-action="audit.export"') :]
    row = row[: row.index("</tr>")]
    assert 'data-testid="audit-action">Audit log exported<' in row
    assert re.search(r'class="nowrap"[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<', row)
    assert '<span class="key">format:</span> json</li>' in row
    assert '<span class="key">to:</span> download by oscar</li>' in row
    assert "<details><summary>JSON" in row and "&#34;format&#34;: &#34;json&#34;" in row


def test_since_from_the_date_and_time_box_means_utc(app: FastAPI, services: Services) -> None:
    oscar = as_user(app, "oscar")
    login = audit_entries(services, "auth.login")[-1]
    moment = login.at.astimezone(UTC).replace(microsecond=0)
    before = (moment - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    after = (moment + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")  # no seconds either
    found = oscar.get("/oversight/audit", params={"since": before, "action": "auth.login"})
    assert 'data-testid="audit-error"' not in found.text
    assert str(login.seq) in _rows(found.text)
    assert f'value="{before}"' in found.text  # the box shows what was chosen
    later = oscar.get("/oversight/audit", params={"since": after, "action": "auth.login"})
    assert 'data-testid="audit-error"' not in later.text
    assert str(login.seq) not in _rows(later.text)


def test_a_bad_filter_shows_its_error_and_no_entries(app: FastAPI) -> None:
    oscar = as_user(app, "oscar")
    assert _rows(oscar.get("/oversight/audit").text), "the log is empty: nothing to hide"
    for params, message in (
        ({"since": "yesterday"}, "&#39;since&#39; is not a date and time"),
        ({"limit": "0"}, "&#39;newest&#39; must be a whole number from 1 to 5000"),
        ({"limit": "lots"}, "&#39;newest&#39; must be a whole number"),
    ):
        page = oscar.get("/oversight/audit", params=params)
        assert page.status_code == 200
        assert 'data-testid="audit-error"' in page.text and message in page.text, params
        assert _rows(page.text) == [], f"{params}: entries shown under the error"


def test_a_mistyped_known_head_is_not_a_broken_chain(app: FastAPI) -> None:
    oscar = as_user(app, "oscar")
    status, report = _verify(oscar)
    assert status == 200 and report["ok"] is True
    head, entries = str(report["head_hash"]), int(str(report["entries"]))
    one_off = head[:30] + ("0" if head[30] != "0" else "1") + head[31:]
    for typed, reason in (
        (head[:-1], "a head hash has 64 characters, this one has 63"),
        (head + "a", "a head hash has 64 characters, this one has 65"),
        ("z" + head[1:], "a head hash has only the characters 0-9 and a-f"),
        (f"x:{head}", "the entry number before ':' must be a positive number: 'x'"),
        (f"{entries + 5}:{head}", f"that hash is entry {entries}'s, not entry {entries + 5}'s"),
        (one_off, f"it differs in 1 character from the head of entry {entries}"),
    ):
        status, body = _verify(oscar, typed)
        assert status == 400, (typed, body)
        assert str(body["detail"]).startswith(INVALID + reason), body["detail"]
        assert "BROKEN" not in str(body["detail"])
    for typed in (head, head.upper(), f"  {entries}:{head} "):
        status, body = _verify(oscar, typed)
        assert status == 200 and body["ok"] is True, (typed, body)


def test_a_head_cut_from_the_chain_is_still_a_break(app: FastAPI, services: Services) -> None:
    oscar = as_user(app, "oscar")
    _, report = _verify(oscar)
    head, entries = str(report["head_hash"]), int(str(report["entries"]))
    with services.transaction() as session:
        session.execute(text("DELETE FROM audit_log WHERE seq = :seq"), {"seq": entries})
    # New entries are appended after the cut, so the old head's entry number exists again,
    # with another hash: a break, never mistaken for a typing mistake.
    oscar.get("/api/audit/export", params={"format": "csv"})
    for typed in (head, f"{entries}:{head}", f"{entries + 9}:{head}"):
        status, body = _verify(oscar, typed)
        assert status == 200 and body["ok"] is False, (typed, body)
        assert "no longer in the log" in str(body["problem"])
