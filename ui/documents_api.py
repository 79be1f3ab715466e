"""`/api/documents`: the documents of a collection, listed (and, from issue 14, added, shown and deleted).

Every route takes its collection as `?collection=` (default: as for /api/ask) and sees nothing
outside the collections its credential allows (`ui.access`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

import index

from .access import AccessDep, CollectionsDep
from .dependencies import REQUIRE_API_KEY

router = APIRouter(prefix="/api/documents", tags=["api"], dependencies=[Depends(REQUIRE_API_KEY.dependency)])
CollectionQuery = Annotated[str | None, Query(description="The collection (default: as for /api/ask).")]


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
    def of(cls, record: index.DocumentRecord, collection: str) -> DocumentInfo:
        return cls(id=record.doc_id, title=record.title, source=record.source, collection=collection,
                   date=record.date, chunks=record.chunks, quotations=record.quotations, chars=record.chars,
                   pages=len(record.pages) or None, ingested_at=datetime.fromtimestamp(record.ingested_at, tz=UTC))


@router.get("", summary="The documents of a collection")
def documents(collections: CollectionsDep, access: AccessDep, collection: CollectionQuery = None) -> list[DocumentInfo]:
    assistant = access.assistant(collections, collection)
    return [DocumentInfo.of(record, assistant.collection) for record in assistant.documents()]
