"""Read a multipart upload into memory only.

Starlette spools uploaded files over 1 MB to a temporary file; enrolment photos are biometric
data and are never written to disk in clear, so the parser here keeps every part in memory (the
body limit, ``WebConfig.max_upload_bytes``, bounds how much that is).
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from lfr.errors import LfrError

MAX_FIELD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Form:
    fields: dict[str, str]
    files: list[Upload]


async def read_multipart(request: Request, max_bytes: int, max_files: int = 20) -> Form:
    kind = request.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        raise LfrError("send the photos as multipart/form-data")
    try:
        async with aclosing(request.stream()) as stream:
            parser = MultiPartParser(
                request.headers,
                stream,
                max_files=max_files,
                max_fields=50,
                max_part_size=MAX_FIELD_BYTES,
            )
            parser.spool_max_size = max_bytes + 1  # never rolls over to a temporary file
            form = await parser.parse()
    except MultiPartException as exc:
        if exc.message.startswith("Too many files"):  # the parser stopped at max_files + 1
            raise HTTPException(
                413, f"too many photos in one upload: the limit is {max_files}"
            ) from None
        raise LfrError(f"unreadable upload: {exc.message}") from None
    fields: dict[str, str] = {}
    files: list[Upload] = []
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if value.filename:
                    data = await value.read()
                    files.append(
                        Upload(value.filename[:200], value.content_type or "", bytes(data))
                    )
            else:
                fields[name] = value
    finally:
        await form.close()
    return Form(fields, files)
