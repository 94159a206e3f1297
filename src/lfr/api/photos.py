"""The photos of one upload, decoded within ``ImageLimits``.

A 31 KB PNG can declare 16000 x 16000 pixels (768 MB decoded), so every photo's header is read
and checked before any photo is decoded: a photo over the per-image limit, or the photo that
takes the upload past its pixel budget, refuses the whole upload (413, naming each such file)
at the cost of parsing a few header bytes. Call ``decode_photos`` on a worker thread
(``run_in_threadpool``): decoding must never hold up the event loop and the other requests.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lfr.api.http.multipart import Upload
from lfr.api.schemas.watchlists import FileProblem
from lfr.config import ImageLimits
from lfr.domain import Image
from lfr.imaging import ImageReadError, ImageTooLargeError, decode_image, probe_image

NamedImage = tuple[str, Image]
Failure = tuple[str, ImageReadError]


@dataclass(frozen=True, slots=True)
class PhotoRefusal:
    status: int
    """413 when a photo is too large or over the upload's budget, else 400 (not an image)."""
    detail: str
    files: list[FileProblem]


def decode_photos(files: list[Upload], limits: ImageLimits) -> list[NamedImage] | PhotoRefusal:
    """Every photo as RGB pixels, or why the upload is refused (then nothing was decoded
    unless every header passed)."""
    named = [(upload_name(upload.filename), upload.data) for upload in files]
    failed = _header_failures(named, limits)
    if failed:
        return _refusal(failed)
    images: list[NamedImage] = []
    for name, data in named:
        try:
            images.append((name, decode_image(data, limits)))
        except ImageReadError as exc:  # a sound header over broken pixel data
            failed.append((name, exc))
    return _refusal(failed) if failed else images


def upload_name(filename: str) -> str:
    """The file's own name, never a client's folder path."""
    return posixpath.basename(filename.replace("\\", "/")) or "upload"


def _header_failures(named: list[tuple[str, bytes]], limits: ImageLimits) -> list[Failure]:
    failed: list[Failure] = []
    total = 0
    for name, data in named:
        try:
            total += probe_image(data, limits).pixels
        except ImageReadError as exc:
            failed.append((name, exc))
            continue
        if total > limits.max_request_pixels:
            failed.append((name, _over_budget(total, limits)))
    return failed


def _over_budget(total: int, limits: ImageLimits) -> ImageTooLargeError:
    return ImageTooLargeError(
        f"over the upload's budget: the photos up to this one come to {total / 1e6:.3g}"
        f" megapixels; the limit is {limits.max_request_pixels / 1e6:.3g} megapixels per upload"
        " (send fewer or smaller photos)"
    )


def _refusal(failed: list[Failure]) -> PhotoRefusal:
    too_large = [name for name, exc in failed if isinstance(exc, ImageTooLargeError)]
    unreadable = [name for name, exc in failed if not isinstance(exc, ImageTooLargeError)]
    parts = [
        f"{label}: {', '.join(names)}"
        for label, names in (("not an image", unreadable), ("too large", too_large))
        if names
    ]
    return PhotoRefusal(
        status=413 if too_large else 400,
        detail=f"{'; '.join(parts)} (nothing was added)",
        files=[FileProblem(file=name, problem=str(exc)) for name, exc in failed],
    )
