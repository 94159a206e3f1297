"""Per-deployment data keys: crypto-shredding of one use.

A deployment that goes live where independent authorisation applies (the EU profile, or a UK
policy that requires it) gets its own AES key, sealed with the data key and kept in
``deployment_keys``. What is biometric about that use (snapshot, alert crops and descriptors,
lookalike negatives) is sealed with it; destroying the key (deleting its row) leaves every
copy of that data - a backup, a replica - undecryptable. A deployment without a row uses the
data key itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from lfr.store.crypto import DataCipher, new_key
from lfr.store.tables import DeploymentKey


def _aad(deployment_id: int, key_id: str) -> bytes:
    return f"deployment-key:{deployment_id}:{key_id}".encode()


def create_deployment_key(
    session: Session, master: DataCipher, deployment_id: int, now: datetime
) -> str:
    """Give ``deployment_id`` its own key (once); returns the key's id."""
    existing = session.get(DeploymentKey, deployment_id)
    if existing is not None:
        return existing.key_id
    key_id = uuid.uuid4().hex
    sealed = master.seal(new_key(), _aad(deployment_id, key_id))
    session.add(
        DeploymentKey(deployment_id=deployment_id, key_id=key_id, key_enc=sealed, created_at=now)
    )
    session.flush()
    return key_id


def deployment_cipher(session: Session, master: DataCipher, deployment_id: int) -> DataCipher:
    """The cipher for ``deployment_id``'s data: its own key, or the data key if it has none."""
    row = session.get(DeploymentKey, deployment_id)
    if row is None:
        return master
    return DataCipher(bytes(master.open(row.key_enc, _aad(deployment_id, row.key_id))))


def destroy_deployment_key(session: Session, deployment_id: int) -> str | None:
    """Delete ``deployment_id``'s key; returns its id (None if it had none)."""
    row = session.get(DeploymentKey, deployment_id)
    if row is None:
        return None
    key_id = row.key_id
    session.delete(row)
    session.flush()
    return key_id
