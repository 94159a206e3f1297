"""Watchlists under the policy; adding a person with their photos (multipart upload).

An upload is checked before anything is written: a file that is not an image refuses the whole
request (400, naming each such file), and so does a photo over the pixel limits (413, from its
header, before anything is decoded: ``lfr.api.photos``); the policy (category, reason, image
source, expiry) is checked before any face model runs; photos without one usable face are listed
with the reason and skipped, and if none is left nothing is added (422).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from lfr.api.deps import CurrentActor, State, WatchlistManager, WatchlistReader
from lfr.api.http.multipart import read_multipart
from lfr.api.photos import PhotoRefusal, decode_photos
from lfr.api.ports import FaceEnroller
from lfr.api.schemas.base import RowId
from lfr.api.schemas.derive import many
from lfr.api.schemas.watchlists import (
    EnrolmentErrorPublic,
    EnrolmentPublic,
    EntryPublic,
    EntryRemove,
    FileProblem,
    WatchlistCreate,
    WatchlistPublic,
)
from lfr.domain import Image, Subject, Template
from lfr.errors import EnrolmentError, LfrError, ModelNotInstalledError, PolicyViolationError
from lfr.governance.law.policy_service import current_policy
from lfr.governance.watchlists import entries as watchlists
from lfr.governance.watchlists import faces as watchlist_faces
from lfr.governance.watchlists.entries import EntryView, WatchlistView
from lfr.governance.watchlists.entry_rules import expiry_problems, refusal, subject_problems

router = APIRouter(prefix="/api/watchlists", tags=["watchlists"])

SUBJECT_FIELDS = ("reference", "display_name", "category", "reason", "image_source")
UPLOAD_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [*SUBJECT_FIELDS, "photos"],
                    "properties": {
                        **{name: {"type": "string"} for name in SUBJECT_FIELDS},
                        "expires_days": {"type": "integer", "minimum": 1, "default": 7},
                        "photos": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                        },
                    },
                }
            }
        },
    }
}


@router.get("", response_model=many(WatchlistPublic))
def list_watchlists(actor: WatchlistReader, state: State) -> list[WatchlistView]:
    return list(watchlists.list_watchlists(state.services, actor))


@router.post("", response_model=WatchlistPublic, status_code=status.HTTP_201_CREATED)
def create_watchlist(body: WatchlistCreate, actor: WatchlistManager, state: State) -> Any:
    watchlists.create_watchlist(state.services, actor, body.name)
    return watchlists.find_watchlist(state.services, actor, body.name)


@router.get("/{watchlist_id}/entries", response_model=many(EntryPublic))
def list_entries(
    watchlist_id: RowId, actor: WatchlistReader, state: State, include_inactive: bool = False
) -> list[EntryView]:
    views = watchlists.list_entries(state.services, actor, watchlist_id, include_inactive)
    return list(views)


@router.post(
    "/{watchlist_id}/entries",
    response_model=EnrolmentPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_SCHEMA,
    responses={
        400: {"model": EnrolmentErrorPublic, "description": "a file is not an image"},
        413: {
            "model": EnrolmentErrorPublic,
            "description": "the body is over the size limit, there are too many photos, or a"
            " photo is over the pixel limits (each such file is listed)",
        },
        422: {"model": EnrolmentErrorPublic, "description": "refused by the policy, or no face"},
    },
)
async def add_entry(
    watchlist_id: RowId, request: Request, actor: WatchlistManager, state: State
) -> Any:
    """Put a person on the watchlist with one or more photos (multipart/form-data)."""
    limits = state.config.images
    form = await read_multipart(request, state.config.max_upload_bytes, limits.max_request_files)
    subject, expires_days = _subject(form.fields)
    if not form.files:
        raise LfrError("add at least one photo (field 'photos')")
    images = await run_in_threadpool(decode_photos, form.files, limits)
    if isinstance(images, PhotoRefusal):
        return _refused(images.status, images.detail, images.files)
    policy = await run_in_threadpool(current_policy, state.services, actor)
    now = state.services.clock()
    problems = [
        *subject_problems(policy, subject),
        *expiry_problems(policy, now, now + timedelta(days=expires_days)),
    ]
    if problems:
        raise PolicyViolationError(refusal(subject, problems))
    if state.enroller is None:
        raise ModelNotInstalledError("face enrolment is not available on this server")
    enroller = await run_in_threadpool(state.enroller)
    templates, skipped = await run_in_threadpool(_enrol, enroller, subject, images)
    if not templates:
        return _refused(422, "no photo shows one usable face (nothing was added)", skipped)
    entry_id = await run_in_threadpool(
        watchlists.add_entry,
        state.services,
        actor,
        watchlist_id,
        subject,
        templates,
        state.services.clock() + timedelta(days=expires_days),
    )
    return EnrolmentPublic(
        entry_id=entry_id,
        reference=subject.reference,
        images_enrolled=len(templates),
        skipped=skipped,
    )


@router.get(
    "/{watchlist_id}/entries/{reference}/face",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "the enrolled face (JPEG)"}},
)
def entry_face(watchlist_id: RowId, reference: str, actor: CurrentActor, state: State) -> Response:
    """The entry's first enrolled face, to check the right person was enrolled (watchlist
    managers and authorising officers); decrypted for this view only, audited as
    ``watchlist.entry.face.viewed``, never cached. 404 once the entry's images are wiped."""
    jpeg = watchlist_faces.entry_face(state.services, actor, watchlist_id, reference)
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.post("/{watchlist_id}/entries/{reference}/remove", status_code=204)
def remove_entry(
    watchlist_id: RowId, reference: str, body: EntryRemove, actor: WatchlistManager, state: State
) -> Response:
    """Take a person off the watchlist (their templates and images are wiped at once)."""
    watchlists.remove_entry(state.services, actor, watchlist_id, reference, body.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _subject(fields: dict[str, str]) -> tuple[Subject, int]:
    missing = [name for name in SUBJECT_FIELDS if not fields.get(name, "").strip()]
    if missing:
        raise PolicyViolationError(f"fill in: {', '.join(missing)}")
    try:
        expires_days = int(fields.get("expires_days", "7") or "7")
    except ValueError:
        raise LfrError("expires_days must be a whole number of days") from None
    if not 1 <= expires_days <= 366:
        raise LfrError("expires_days must be between 1 and 366")
    subject = Subject(**{name: fields[name].strip() for name in SUBJECT_FIELDS})
    return subject, expires_days


def _enrol(
    enroller: FaceEnroller, subject: Subject, images: list[tuple[str, Image]]
) -> tuple[list[Template], list[FileProblem]]:
    templates: list[Template] = []
    skipped: list[FileProblem] = []
    for name, image in images:
        try:
            templates.append(enroller.enrol_array(image, subject, f"{subject.reference}/{name}"))
        except EnrolmentError as exc:
            skipped.append(FileProblem(file=name, problem=exc.reason))
    return templates, skipped


def _refused(code: int, detail: str, files: list[FileProblem]) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "files": [f.model_dump() for f in files]}, status_code=code
    )
