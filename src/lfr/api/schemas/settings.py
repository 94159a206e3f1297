from __future__ import annotations

from pydantic import Field

from lfr.api.schemas.base import Request
from lfr.api.schemas.derive import schema_of
from lfr.governance.records.site_settings import SiteSettings


class SiteSettingsBody(Request):
    """Who runs this system and how the public reaches them (checked by the service)."""

    force_name: str = Field(max_length=200, description="the force's name, as the public knows it")
    contact: str = Field("", max_length=500, description="phone, address or web page")
    complaints: str = Field("", max_length=500, description="an email address or http(s) URL")
    public_url: str | None = Field(
        None, max_length=500, description="base URL of the public pages (signage QR codes)"
    )
    time_zone: str = Field("UTC", max_length=64, description="IANA zone, e.g. Europe/London")


SiteSettingsPublic = schema_of(SiteSettings, name="SiteSettingsPublic")
