"""Where a deployment's cameras may take frames from, and how their sources are kept.

A source is checked against the policy (``CameraSourcePolicy``) and the server's media folders
when a deployment is planned, when it goes live and when its cameras start: a stream URL of an
allowed scheme (rtsp, rtsps, http, https by default) with a host, a webcam index where the
policy allows webcams, the built-in ``demo`` clip, or a file under a configured media folder
(symlinks and ``..`` resolved first). A refusal never depends on whether a path exists, so
planning a deployment cannot be used to probe the server's file system, and camera health only
ever reports on files inside the media folders.

Credentials in a source (``rtsp://user:password@host/...``, a token in the query) are sealed
with the data key before they are stored, bound to the deployment and camera; only the redacted
form is kept in clear, for views and the audit log.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lfr.access.services import Services
from lfr.errors import IntegrityError, PolicyViolationError
from lfr.governance.deployments.camera_nodes import split_node
from lfr.governance.law.policy import CameraSourcePolicy
from lfr.ingest.redact import redact_url
from lfr.store.crypto import DataCipher
from lfr.store.sealing import open_text, seal_text

DEMO_SOURCE = "demo"
"""The built-in demo clip, generated in memory: always allowed."""
MAX_SOURCE_CHARS = 2000
SEALED_KIND = "camera"
_SHOWN, _SEALED = "shown", "sealed"


def media_folders(services: Services) -> tuple[Path, ...]:
    """The folders local video files may come from (``$LFR_MEDIA_DIR``; default
    ``<data dir>/media``)."""
    return services.media_dirs or (services.data_dir / "media",)


def camera_source_problems(
    cameras: Mapping[str, str], policy: CameraSourcePolicy, media: Sequence[Path]
) -> list[str]:
    """Every reason these cameras break the rules (empty when none does)."""
    problems = []
    if len(cameras) > policy.max_cameras:
        problems.append(
            f"{len(cameras)} cameras is more than the policy's limit of {policy.max_cameras}"
        )
    for name, spec in list(cameras.items())[: policy.max_cameras]:
        try:
            checked_source(split_node(spec)[0], policy, media)  # '@node' is no source
        except PolicyViolationError as exc:
            problems.append(f"camera {name!r}: {exc}")
    return problems


def checked_source(spec: str, policy: CameraSourcePolicy, media: Sequence[Path]) -> str:
    """The source to open for ``spec`` (a local file as its resolved path), or
    PolicyViolationError saying why it is not allowed."""
    spec = spec.strip()
    if spec == DEMO_SOURCE:
        return spec
    if any(not ch.isprintable() for ch in spec):
        raise PolicyViolationError("a source may not hold control characters")
    if spec.isascii() and spec.isdigit():
        if not policy.webcams_allowed:
            raise PolicyViolationError("webcams are not allowed by the policy")
        return spec
    if "://" in spec:
        return _checked_url(spec, policy)
    return str(_checked_file(spec, media))


def _checked_url(spec: str, policy: CameraSourcePolicy) -> str:
    allowed = ", ".join(policy.allowed_schemes)
    scheme = spec.split("://", 1)[0].lower()
    if scheme not in policy.allowed_schemes:
        raise PolicyViolationError(
            f"source scheme {scheme[:20]!r} is not allowed (allowed: {allowed})"
        )
    if any(ch.isspace() for ch in spec):
        raise PolicyViolationError("a source URL may not hold spaces")
    try:
        host = urlsplit(spec).hostname
    except ValueError:
        host = None
    if not host:
        raise PolicyViolationError(f"source {redact_url(spec)!r} names no host")
    return spec


def _checked_file(spec: str, media: Sequence[Path]) -> Path:
    """The real path of a local file under a media folder. Whether the path exists is never
    looked at here, so the answer cannot tell anyone what is on the server."""
    folders = [Path(os.path.realpath(folder)) for folder in media]
    if not folders:
        raise PolicyViolationError("local files are not allowed (no media folder is configured)")
    # No "~" expansion: whether "~name" expands would tell whether that account exists.
    where = Path(spec)
    candidate = where if where.is_absolute() else folders[0] / where
    real = Path(os.path.realpath(candidate))
    if not any(real.is_relative_to(folder) for folder in folders):
        shown = "; ".join(str(folder) for folder in folders)
        raise PolicyViolationError(
            f"a local file must be inside the media folder ({shown}); links and '..' are"
            " followed first"
        )
    return real


# --- credentials at rest ----------------------------------------------------------------------


def seal_cameras(
    cipher: DataCipher, deployment_id: int, cameras: Mapping[str, str]
) -> dict[str, Any]:
    """The ``cameras`` column: a source with credentials becomes {"shown": redacted,
    "sealed": ciphertext}; any other stays a plain string."""
    stored: dict[str, Any] = {}
    for name, spec in cameras.items():
        shown = redact_url(spec)
        if shown == spec:
            stored[name] = spec
            continue
        sealed = seal_text(cipher, spec, SEALED_KIND, str(deployment_id), name)
        stored[name] = {_SHOWN: shown, _SEALED: base64.b64encode(sealed).decode("ascii")}
    return stored


def open_cameras(
    cipher: DataCipher, deployment_id: int, stored: Mapping[str, Any]
) -> dict[str, str]:
    """The sources as planned, credentials included: only for the cameras themselves."""
    opened = {}
    for name, value in stored.items():
        if isinstance(value, Mapping):
            try:
                sealed = base64.b64decode(str(value[_SEALED]), validate=True)
            except (KeyError, ValueError):
                raise IntegrityError(f"camera {name!r}: its sealed source is damaged") from None
            opened[str(name)] = open_text(cipher, sealed, SEALED_KIND, str(deployment_id), name)
        else:
            opened[str(name)] = str(value)
    return opened


def shown_cameras(stored: Mapping[str, Any]) -> dict[str, str]:
    """The sources as staff and the audit log see them: credentials redacted."""
    return {
        str(name): str(value.get(_SHOWN, "")) if isinstance(value, Mapping) else redact_url(value)
        for name, value in stored.items()
    }
