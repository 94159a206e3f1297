from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Public, Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.watchlists.entries import EntryView, WatchlistView


class WatchlistCreate(Request):
    name: str = Field(min_length=1, max_length=200)


WatchlistPublic = schema_of(WatchlistView, name="WatchlistPublic")

EntryPublic = schema_of(EntryView, name="EntryPublic")


class EntryRemove(Request):
    reason: str = Field(min_length=1, max_length=2000)


class FileProblem(Public):
    file: str
    problem: str


class EnrolmentPublic(Public):
    entry_id: int
    reference: str
    images_enrolled: int
    skipped: list[FileProblem] = Field(description="photos that could not be used, and why")


class EnrolmentErrorPublic(Public):
    detail: str
    files: list[FileProblem]
