"""Bus credentials on disk: a node's file (``lfr edge add --out FILE``) and the centre's own
(``<data dir>/keys/nats_centre.json``), each JSON, mode 0600, never overwritten."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from lfr.edge import protocol as proto
from lfr.edge.credentials.passwords import new_password
from lfr.errors import LfrError
from lfr.node_names import CENTRE_USER

CENTRE_FILE = "nats_centre.json"


@dataclass(frozen=True, slots=True)
class BusCredentials:
    user: str
    """A node's name, or ``centre``."""
    password: str
    key: str = ""
    """A node's AES-256 key, base64: it seals the crops of the node's alerts for the centre.
    Empty for the centre (it keeps every node's key sealed in its database)."""


def write_credentials(path: Path, credentials: BusCredentials) -> None:
    """Create ``path`` (mode 0600) with ``credentials``; refused if it exists."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise LfrError(f"{path} exists: credentials are never overwritten") from None
    with os.fdopen(descriptor, "w") as handle:
        json.dump(asdict(credentials), handle)
        handle.write("\n")


def read_credentials(path: Path) -> BusCredentials:
    try:
        data = json.loads(path.read_text())
        credentials = BusCredentials(
            user=str(data["user"]), password=str(data["password"]), key=str(data.get("key", ""))
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LfrError(f"{path}: not a credentials file ({exc})") from None
    if credentials.user != CENTRE_USER:
        proto.check_node_name(credentials.user)
    return credentials


def centre_credentials(key_dir: Path) -> BusCredentials:
    """The centre's bus credentials, created on first use."""
    path = key_dir / CENTRE_FILE
    if not path.exists():
        key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_credentials(path, BusCredentials(CENTRE_USER, new_password()))
    return read_credentials(path)
