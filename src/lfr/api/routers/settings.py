"""Site settings: the force's name, contact, complaint address, public URL and time zone (any
member of staff reads them; admins set them, audited)."""

from __future__ import annotations

from fastapi import APIRouter

from lfr.api.deps import CurrentActor, State
from lfr.api.schemas.settings import SiteSettingsBody, SiteSettingsPublic
from lfr.governance.records.site_settings import SiteSettings, read_site_settings, set_site_settings

router = APIRouter(prefix="/api/settings", tags=["settings"])


@router.get("", response_model=SiteSettingsPublic)
def read_settings(actor: CurrentActor, state: State) -> SiteSettings:
    return read_site_settings(state.services)


@router.put("", response_model=SiteSettingsPublic)
def put_settings(body: SiteSettingsBody, actor: CurrentActor, state: State) -> SiteSettings:
    """Set them (admins); a bad complaint address, URL or time zone is refused with 400."""
    stored = set_site_settings(state.services, actor, SiteSettings(**body.model_dump()))
    return stored
