"""Build governance fixtures straight into the tables (no dlib needed)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from functools import cache

import numpy as np
from argon2 import PasswordHasher

from lfr.domain import EmbeddingContract
from lfr.governance.context import Services
from lfr.governance.policy import DEFAULT_CATEGORIES
from lfr.imaging import encode_jpeg
from lfr.store.sealing import entry_owner, seal_image, seal_vector
from lfr.store.tables import EntryImage, User, Watchlist, WatchlistEntry
from tests.gov.conftest import (
    ADMIN,
    AUTHORISER,
    AUTHORISER_2,
    FIELD,
    MANAGER,
    OPERATOR,
    OPERATOR_2,
    OVERSIGHT,
)

CONTRACT = EmbeddingContract("fake-model", "0" * 64, 4, "fake")
PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)  # argon2 is slow by design: hash once per run


def add_users(services: Services) -> None:
    now = services.clock()
    with services.transaction() as session:
        for actor in (
            ADMIN,
            MANAGER,
            AUTHORISER,
            AUTHORISER_2,
            OPERATOR,
            OPERATOR_2,
            FIELD,
            OVERSIGHT,
        ):
            session.add(
                User(
                    username=actor.username,
                    password_hash=_password_hash(),
                    role=actor.role.value,
                    created_at=now,
                    created_by="test",
                )
            )


def add_watchlist(
    services: Services,
    name: str = "wl",
    entries: int = 3,
    category: str | None = None,
    expires_in: timedelta = timedelta(days=10),
    now: datetime | None = None,
) -> int:
    """A watchlist of ``entries`` subjects, one sealed 4-d template each (vector i = e_i)."""
    now = now or services.clock()
    rng = np.random.default_rng(0)
    with services.transaction() as session:
        watchlist = Watchlist(name=name, created_at=now, created_by=MANAGER.username)
        session.add(watchlist)
        session.flush()
        for i in range(entries):
            reference = f"WL-{i:04d}"
            entry = WatchlistEntry(
                watchlist_id=watchlist.id,
                reference=reference,
                display_name=f"Person {i}",
                category=category or DEFAULT_CATEGORIES[i % len(DEFAULT_CATEGORIES)],
                reason="wanted on warrant",
                image_source="custody record",
                added_by=MANAGER.username,
                added_at=now,
                expires_at=now + expires_in,
            )
            vector = np.zeros(4, np.float32)
            vector[i % 4] = 1.0
            owner = entry_owner(watchlist.id, reference)
            face = encode_jpeg(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8))
            entry.images.append(
                EntryImage(
                    image_name="1.jpg",
                    contract=asdict(CONTRACT),
                    template_enc=seal_vector(services.cipher, vector, "entry", owner, "1.jpg"),
                    face_jpeg_enc=seal_image(services.cipher, face, "entry", owner, "1.jpg"),
                )
            )
            session.add(entry)
        return watchlist.id
