from __future__ import annotations

from datetime import datetime

from pydantic import Field

from lfr.api.schemas.base import Public, Request


class WatchlistCreate(Request):
    name: str = Field(min_length=1, max_length=200)


class WatchlistPublic(Public):
    id: int
    name: str
    created_at: datetime
    created_by: str
    active_entries: int
    total_entries: int


class EntryPublic(Public):
    id: int
    watchlist_id: int
    reference: str
    display_name: str
    category: str
    reason: str
    image_source: str
    added_by: str
    added_at: datetime
    expires_at: datetime
    removed_at: datetime | None
    images: int
    status: str


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
