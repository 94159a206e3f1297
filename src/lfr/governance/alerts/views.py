"""The human check needs the faces: an officer may decide about an alert only once their login
session has loaded BOTH of its pictures - the probe crop the camera saw and the enrolled image it
matched. The web app records each picture a session loads; a new login starts with none.

Only that a picture was shown is kept (session id, alert id, which picture, when), never the
picture itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, Literal, get_args

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lfr.errors import StateError
from lfr.store.tables import AlertMediaView

Picture = Literal["probe", "enrolled"]
PICTURES: Final[tuple[Picture, ...]] = get_args(Picture)
_SHOWN: Final[dict[str, str]] = {
    "probe": "the face the camera saw",
    "enrolled": "the watchlist image",
}


class PicturesNotViewedError(StateError):
    """A decision before this session has loaded both pictures of the alert (409)."""


def record_view(
    session: Session, session_id: str, alert_id: str, picture: Picture, at: datetime
) -> None:
    """Remember that ``session_id`` loaded ``picture`` of ``alert_id`` (once; simultaneous
    loads of the same picture do not collide)."""
    values = {"session_id": session_id, "alert_id": alert_id, "picture": picture, "viewed_at": at}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(AlertMediaView).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(AlertMediaView).values(**values).on_conflict_do_nothing())
    elif session.get(AlertMediaView, (session_id, alert_id, picture)) is None:
        session.add(AlertMediaView(**values))
        session.flush()


def missing_pictures(session: Session, session_id: str, alert_id: str) -> list[Picture]:
    """The pictures of ``alert_id`` that ``session_id`` has not loaded yet."""
    seen = set(
        session.scalars(
            select(AlertMediaView.picture).where(
                AlertMediaView.session_id == session_id, AlertMediaView.alert_id == alert_id
            )
        )
    )
    return [picture for picture in PICTURES if picture not in seen]


def require_pictures_viewed(session: Session, session_id: str, alert_id: str) -> None:
    """Refuse (409, naming what is missing) until this session has loaded both pictures."""
    missing = missing_pictures(session, session_id, alert_id)
    if missing:
        shown = " and ".join(_SHOWN[picture] for picture in missing)
        raise PicturesNotViewedError(
            f"look at both faces before deciding on alert {alert_id[:36]}: not yet loaded in"
            f" this login session: {shown} (load the pictures, or retry the one that failed)"
        )


def forget_views(session: Session, alert_ids: Sequence[str]) -> None:
    """Drop the view records of alerts the retention purge deletes: they go with the alert."""
    if alert_ids:
        session.execute(delete(AlertMediaView).where(AlertMediaView.alert_id.in_(alert_ids)))
