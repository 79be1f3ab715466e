"""`/api/documents`: the documents of a collection, listed, added (multipart upload), shown and deleted.

Every route takes its collection as `?collection=` (default: as for /api/ask) and sees nothing
outside the collections its credential allows (`ui.access`); a document id of a collection the
credential may not see is a 404, as for an unknown one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, UploadFile
from pydantic import BaseModel, Field

from assistant import Assistant, DocumentRecord, DocumentView
from assistant.collections import Collections
from assistant.errors import UnknownDocumentError
from assistant.uploads import validated_upload
from prompts import load_prompt

from .access import Access, AccessDep, CollectionQuery, CollectionsDep
from .dependencies import REQUIRE_API_KEY

router = APIRouter(prefix="/api/documents", tags=["api"], dependencies=[Depends(REQUIRE_API_KEY.dependency)])
LookupQuery = Annotated[str | None, Query(
    description="The collection holding the document (default: every collection the key may use).")]
_NO_FILE = ("no file was sent: send multipart/form-data with the file in a field named 'file' "
            "(curl -F file=@report.pdf [-F collection=news])")


class DocumentInfo(BaseModel):
    id: str = Field(..., description="The document's id: GET /api/documents/{id}, the viewer at /documents/{id}.")
    title: str
    source: str = Field(..., description="Its name, relative to the folder it was ingested from (or as uploaded).")
    collection: str
    date: str | None = Field(None, description="The date the document states (YYYY-MM-DD), if any.")
    chunks: int
    quotations: int
    chars: int
    pages: int | None = Field(None, description="A PDF's number of pages.")
    ingested_at: datetime

    @classmethod
    def of(cls, record: DocumentRecord, collection: str) -> DocumentInfo:
        return cls(id=record.doc_id, title=record.title, source=record.source, collection=collection,
                   date=record.date, chunks=record.chunks, quotations=record.quotations, chars=record.chars,
                   pages=len(record.pages) or None, ingested_at=datetime.fromtimestamp(record.ingested_at, tz=UTC))


class UploadedDocument(DocumentInfo):
    replaced: bool = Field(..., description="Whether it replaced an earlier upload of the same name.")


class DocumentDetail(DocumentInfo):
    text: str = Field(..., description="The document's text: every citation's start and end point into it.")
    page_starts: list[int] | None = Field(
        None, description="A PDF's page starts in `text`: page n is text[page_starts[n-1]:page_starts[n]].")
    url: str = Field(..., description="The document in the viewer.")


class DeletedDocument(BaseModel):
    deleted: str = Field(..., description="The id of the document deleted.")
    source: str
    collection: str


def find_document(
    collections: Collections, access: Access, doc_id: str, collection: str | None = None
) -> tuple[Assistant, DocumentView]:
    """The document `doc_id` in `collection`, or else in any collection `access` may see, with its
    collection's assistant. UnknownDocumentError (404) when none of them holds it, also when one the
    credential may not see does (nothing says it exists there); CollectionForbiddenError (403) for
    a named collection the credential may not use."""
    if collection is not None:
        assistant = access.assistant(collections, collection)
        return assistant, assistant.document(doc_id)
    for name in access.visible(collections):
        assistant = collections.get(name)
        try:
            return assistant, assistant.document(doc_id)
        except UnknownDocumentError:
            continue
    raise UnknownDocumentError(load_prompt("unknown_document").format(doc_id=doc_id))


@router.get("", summary="The documents of a collection")
def documents(collections: CollectionsDep, access: AccessDep, collection: CollectionQuery = None) -> list[DocumentInfo]:
    assistant = access.assistant(collections, collection)
    return [DocumentInfo.of(record, assistant.collection) for record in assistant.documents()]


@router.post(
    "", status_code=201, summary="Add a document (a file upload)",
    description="multipart/form-data: the file in `file` (.txt, .md, .html, .pdf, up to ASSISTANT_MAX_FILE_MB), "
    "`collection` optionally (created when new). Kept under a safe version of its name in the collection's "
    "uploads folder; a file of the same name is replaced. 415: a type we do not read or disguised as another, "
    "413: too large, 422: unreadable; nothing changes then.",
)
def upload_document(
    collections: CollectionsDep, access: AccessDep,
    file: Annotated[UploadFile | None, File(description="The file to add.")] = None,
    collection: Annotated[str | None, Form(description="The collection to add it to (default: as for /api/ask).")]
    = None,
) -> UploadedDocument:
    # A sync route: FastAPI runs it in its threadpool, so the ingest (embedding) never blocks the loop.
    if file is None:
        raise HTTPException(status_code=400, detail=_NO_FILE)
    data = file.file.read()  # as many bytes as the body limit (ui.security) let through, no more
    if collection and not access.allows(collection):
        access.assistant(collections, collection)  # 403, as for every route
    if collection and not collections.exists(collection):  # a refused file makes no new collection
        validated_upload(file.filename or "", data, int(collections.settings.max_file_mb * 2**20))
    assistant = access.assistant(collections, collection or None, create=True)
    before = {record.doc_id for record in assistant.documents()}
    record = assistant.upload(file.filename or "", data)
    return UploadedDocument(**DocumentInfo.of(record, assistant.collection).model_dump(),
                            replaced=record.doc_id in before)


@router.get("/{doc_id}", summary="A document: its metadata and text")
def document(doc_id: str, collections: CollectionsDep, access: AccessDep, collection: LookupQuery = None
             ) -> DocumentDetail:
    assistant, view = find_document(collections, access, doc_id, collection)
    record = view.record
    return DocumentDetail(**DocumentInfo.of(record, assistant.collection).model_dump(), text=view.text,
                          page_starts=list(record.pages) or None, url=f"/documents/{record.doc_id}")


@router.delete("/{doc_id}", summary="Delete a document (an upload's file with it)")
def delete_document(doc_id: str, collections: CollectionsDep, access: AccessDep, collection: LookupQuery = None
                    ) -> DeletedDocument:
    assistant, view = find_document(collections, access, doc_id, collection)
    record = assistant.delete_document(view.record.doc_id)
    return DeletedDocument(deleted=record.doc_id, source=record.source, collection=assistant.collection)
