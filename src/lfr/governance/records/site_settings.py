"""Who runs this system and how the public reaches them: the force's name, a contact, where to
complain, the public URL printed on signage and the local time zone of public pages.

One row, set by an admin (``Action.POLICY_SET``: what the force publishes about itself belongs
with its policy) and audited with what changed. Until it is set, ``SiteSettings()`` holds
neutral defaults so the public pages still read.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import LfrError
from lfr.store.tables import SiteSettingsRow

ROW_ID = 1
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """Who runs this system and how the public reaches them."""

    force_name: str = "the police force that runs this system"
    """The force's name, as the public knows it."""
    contact: str = ""
    """How the public reaches the force about this system (a phone, an address, a web page)."""
    complaints: str = ""
    """Where to complain: an email address or an http(s) URL."""
    public_url: str | None = None
    """Base URL of the public pages, printed in signage QR codes."""
    time_zone: str = "UTC"
    """IANA zone name: public pages and posters show local times in it."""

    def zone(self) -> ZoneInfo:
        """The zone (UTC if this machine's zone database no longer knows the stored name)."""
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def complaints_link(self) -> str | None:
        """A ``mailto:`` or web link for the complaint address (None when unset)."""
        if not self.complaints:
            return None
        return self.complaints if "://" in self.complaints else f"mailto:{self.complaints}"


def read_site_settings(services: Services) -> SiteSettings:
    """The settings in force (defaults until an admin sets them): public, no actor needed."""
    with services.transaction() as session:
        row = session.get(SiteSettingsRow, ROW_ID)
        if row is None:
            return SiteSettings()
        return SiteSettings(
            force_name=row.force_name,
            contact=row.contact,
            complaints=row.complaints,
            public_url=row.public_url,
            time_zone=row.time_zone,
        )


def set_site_settings(services: Services, actor: Actor, settings: SiteSettings) -> SiteSettings:
    """Check and store ``settings``; the audit entry names each changed field."""
    require(actor, Action.POLICY_SET)
    settings = checked(settings)
    with services.transaction() as session:
        row = session.get(SiteSettingsRow, ROW_ID, with_for_update=True)
        before = SiteSettings() if row is None else _from_row(row)
        if row is None:
            row = SiteSettingsRow(id=ROW_ID)
            session.add(row)
        for key, value in asdict(settings).items():
            setattr(row, key, value)
        row.updated_at = services.clock()
        row.updated_by = actor.username
        session.flush()
        services.record(session, actor.username, "settings.set", "site", _changes(before, settings))
    return settings


def checked(settings: SiteSettings) -> SiteSettings:
    """``settings`` with surrounding spaces removed; LfrError naming the first bad field."""
    clean = SiteSettings(
        force_name=settings.force_name.strip(),
        contact=settings.contact.strip(),
        complaints=settings.complaints.strip(),
        public_url=(settings.public_url or "").strip().rstrip("/") or None,
        time_zone=settings.time_zone.strip(),
    )
    if not clean.force_name or len(clean.force_name) > 200:
        raise LfrError("force name: give the force's name (at most 200 characters)")
    if len(clean.contact) > 500:
        raise LfrError("contact: at most 500 characters")
    if clean.complaints and not (_EMAIL.fullmatch(clean.complaints) or _is_web(clean.complaints)):
        raise LfrError("complaint address: give an email address or an http(s):// URL")
    if len(clean.complaints) > 500:
        raise LfrError("complaint address: at most 500 characters")
    if clean.public_url and (not _is_web(clean.public_url) or len(clean.public_url) > 500):
        raise LfrError("public URL: give an http(s):// URL, e.g. https://lfr.example.police.uk")
    _check_zone(clean.time_zone)
    return clean


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise LfrError(
            f"time zone: {name[:64]!r} is not an IANA time zone name (e.g. Europe/London)"
        ) from None


def _is_web(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def _from_row(row: SiteSettingsRow) -> SiteSettings:
    return SiteSettings(row.force_name, row.contact, row.complaints, row.public_url, row.time_zone)


def _changes(before: SiteSettings, after: SiteSettings) -> dict[str, Any]:
    old, new = asdict(before), asdict(after)
    return {key: [old[key], new[key]] for key in new if old[key] != new[key]}
