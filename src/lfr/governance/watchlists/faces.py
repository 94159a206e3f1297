"""An entry's enrolled face, for the people who check that the right person was enrolled.

Each view is decrypted for that request only and audited ("watchlist.entry.face.viewed"), as
the alert crops are; removed entries have no face left (their images are wiped at removal).
"""

from __future__ import annotations

from sqlalchemy import select

from lfr.access.roles import Action, Actor, require
from lfr.access.services import Services
from lfr.errors import NotFoundError
from lfr.governance.watchlists.entries import ENTRY_KIND, load_watchlist
from lfr.store.sealing import entry_owner, open_image
from lfr.store.tables import EntryImage, WatchlistEntry


def entry_face(services: Services, actor: Actor, watchlist_id: int, reference: str) -> bytes:
    """The first enrolled face of the entry ``reference`` (JPEG), decrypted; NotFoundError when
    there is no such entry or its images are gone."""
    require(actor, Action.WATCHLIST_FACE_VIEW)
    with services.transaction() as session:
        load_watchlist(session, watchlist_id)
        image = session.scalars(
            select(EntryImage)
            .join(WatchlistEntry, EntryImage.entry_id == WatchlistEntry.id)
            .where(
                WatchlistEntry.watchlist_id == watchlist_id,
                WatchlistEntry.reference == reference,
            )
            .order_by(EntryImage.id)
            .limit(1)
        ).first()
        if image is None:
            raise NotFoundError(f"no enrolled face for {reference[:100]!r} on this watchlist")
        owner = entry_owner(watchlist_id, reference)
        jpeg = open_image(services.cipher, image.face_jpeg_enc, ENTRY_KIND, owner, image.image_name)
        services.record(
            session,
            actor.username,
            "watchlist.entry.face.viewed",
            f"watchlist:{watchlist_id}",
            {"reference": reference, "image": image.image_name},
        )
        return bytes(jpeg)
