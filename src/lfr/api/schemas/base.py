"""Shared model settings, the bounded id type, and the error bodies every route may send."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from lfr.store.tables import MAX_ROW_ID

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
"""A row id in a path, query or body: out of range is refused (422) before any SQL runs."""


class Request(BaseModel):
    """A request body: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Public(BaseModel):
    """A response body, built from the services' views."""

    model_config = ConfigDict(from_attributes=True)


class ErrorPublic(BaseModel):
    detail: str = Field(description="what went wrong, written for people")


class FieldErrorPublic(BaseModel):
    loc: list[str | int] = Field(description="where: path, query, header or body, then names")
    msg: str
    type: str


class ValidationErrorPublic(ErrorPublic):
    """422: a request that does not fit the schema lists each problem in ``errors`` (the values
    sent are never echoed); a refusal by the policy has only ``detail``."""

    errors: list[FieldErrorPublic] = Field(default_factory=list)
