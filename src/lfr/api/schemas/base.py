"""Shared model settings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Request(BaseModel):
    """A request body: unknown fields are refused, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Public(BaseModel):
    """A response body, built from the services' views."""

    model_config = ConfigDict(from_attributes=True)


class ErrorPublic(BaseModel):
    detail: str
