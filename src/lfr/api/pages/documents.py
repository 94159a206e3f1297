"""The document registry page (issue 11): authorising officers, oversight and admins read the
registered versions with their hashes and review dates; admins and authorising officers add one
(the file is hashed in the browser: only its SHA-256 leaves the force's machine)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lfr.access.roles import PERMISSIONS, Action, Actor
from lfr.api.deps import State, allowed
from lfr.api.pages.common import render
from lfr.governance.records.documents import FRIA_FIELDS, DocumentKind, list_documents

router = APIRouter(include_in_schema=False)
DocumentReader = Annotated[Actor, Depends(allowed(Action.DOCUMENT_READ))]


@router.get("/documents")
def documents_page(request: Request, actor: DocumentReader, state: State) -> Response:
    return render(
        state,
        request,
        "documents.html",
        {
            "title": "Documents",
            "documents": list_documents(state.services, actor),
            "kinds": [k.value for k in DocumentKind],
            "fria_fields": FRIA_FIELDS,
            "may_add": actor.role in PERMISSIONS[Action.DOCUMENT_MANAGE],
            "today": state.services.clock().date(),
        },
        actor,
    )
