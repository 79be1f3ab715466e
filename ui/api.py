"""The REST API: `/api/ask` (JSON and server-sent events), `/api/documents`, `/api/speakers`
(who is quoted, and what they said), `/api/health`.

Every route calls the same `Assistant`; the Answer JSON is the contract of docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field, StrictInt, StrictStr

from assistant import Answer
from assistant.quotations import UnknownSpeakerError
from assistant.quote_digest import MAX_PAGE_SIZE, PAGE_SIZE, SpeakerInfo, SpeakerQuotes

from .access import AccessDep, CollectionQuery, CollectionsDep
from .dependencies import REQUIRE_API_KEY, AssistantDep

router = APIRouter(prefix="/api", tags=["api"])
PROTECTED = [REQUIRE_API_KEY]


class ChatTurn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: StrictStr


class AskRequest(BaseModel):
    question: StrictStr = Field(..., description="The question to answer.", examples=["What did Budrys say?"])
    history: list[ChatTurn] = Field(
        default_factory=list, description="Earlier turns, oldest first (at most ASSISTANT_MAX_HISTORY_TURNS turns and "
        "ASSISTANT_MAX_HISTORY_CHARS characters)."
    )
    k: StrictInt | None = Field(None, ge=1, le=50, description="Passages to retrieve (default: the server's setting).")
    collection: StrictStr | None = Field(
        None, description="The collection to answer from (default: ASSISTANT_COLLECTION, or the only one the key "
        "may use); GET /api/collections lists them.", examples=["news"],
    )

    def history_dicts(self) -> list[dict]:
        return [turn.model_dump() for turn in self.history]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    documents: int
    chunks: int


class CollectionInfo(BaseModel):
    name: str
    default: bool = Field(..., description="Whether a request that names no collection uses it.")
    documents: int
    chunks: int


class TextDelta(BaseModel):
    """A `delta` event: the next piece of the answer text."""

    text: str


@router.get("/health", summary="Liveness and index size")
def health(assistant: AssistantDep) -> Health:
    return Health(documents=len(assistant.documents()), chunks=assistant.chunk_count())


@router.get("/collections", dependencies=PROTECTED, summary="The collections this key may use")
def collections_list(collections: CollectionsDep, access: AccessDep) -> list[CollectionInfo]:
    default = access.default(collections)
    infos = []
    for name in access.visible(collections):
        assistant = collections.get(name)
        infos.append(CollectionInfo(name=name, default=name == default, documents=len(assistant.documents()),
                                    chunks=assistant.chunk_count()))
    return infos


@router.post("/ask", dependencies=PROTECTED, summary="Answer a question, with citations")
def ask(request: AskRequest, collections: CollectionsDep, access: AccessDep) -> Answer:
    assistant = access.assistant(collections, request.collection)
    return assistant.ask(request.question, k=request.k, history=request.history_dicts())


def started_answer(request: AskRequest, collections: CollectionsDep, access: AccessDep) -> Iterator[str | Answer]:
    """The answer's stream, begun: a bad question raises here, as a 4xx JSON error, before the
    response (and any event) starts."""
    assistant = access.assistant(collections, request.collection)
    items = assistant.ask_stream(request.question, k=request.k, history=request.history_dicts())
    first = next(items)
    return itertools.chain([first], items)


@router.post(
    "/ask/stream", dependencies=PROTECTED, response_class=EventSourceResponse, summary="Answer as server-sent events",
    description="Events: `delta` ({text}) pieces of the answer text, then `answer` (the full Answer JSON, "
    "with citations and passages; it is authoritative and may differ from the deltas when an LLM's "
    "text failed validation), then `done`. A bad question is a 4xx JSON error before any event.",
)
def ask_stream(items: Annotated[Iterator[str | Answer], Depends(started_answer)]) -> Iterator[ServerSentEvent]:
    for item in items:
        if isinstance(item, Answer):
            yield ServerSentEvent(event="answer", data=item)
        else:
            yield ServerSentEvent(event="delta", data=TextDelta(text=item))
    yield ServerSentEvent(event="done", data={})




@router.get("/speakers", dependencies=PROTECTED, summary="People quoted in the documents, most quoted first")
def speakers(collections: CollectionsDep, access: AccessDep, collection: CollectionQuery = None) -> list[SpeakerInfo]:
    return access.assistant(collections, collection).speakers()


@router.get(
    "/speakers/{name}/quotes", dependencies=PROTECTED, summary="A page of a person's quotations, by document",
    description="`name` is a full name or a surname (case and accents do not matter: `ruginiene` finds "
    "Inga Ruginienė), or a title only one quoted person bears (`prime minister`). Several people may share "
    "a surname: each comes with a page of their quotations. Quotations are ranked newest document first "
    "(undated last), in document order within one, and grouped by document; `limit` a page (default "
    f"{PAGE_SIZE}), from `offset` or `page` (from 1). Each speaker says `total`, `remaining`, "
    "`remaining_documents` and `next_offset` (null on the last page). `since` and `until` (YYYY-MM-DD) keep "
    "documents dated in between. Offsets point into the document text. 404 when nobody by that name is "
    "quoted (the error lists close names); 422 for a bad page.",
)
def speaker_quotations(
    name: str, collections: CollectionsDep, access: AccessDep, collection: CollectionQuery = None,
    offset: Annotated[int | None, Query(ge=0, description="rank of the first quotation (from 0)")] = None,
    page: Annotated[int | None, Query(ge=1, description="page number (from 1), instead of offset")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="quotations a page")] = PAGE_SIZE,
    since: Annotated[date | None, Query(description="documents dated on or after (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="documents dated on or before (YYYY-MM-DD)")] = None,
) -> list[SpeakerQuotes]:
    assistant = access.assistant(collections, collection)
    try:
        return assistant.speaker_quotations(name, offset=offset, page=page, limit=limit, since=since, until=until)
    except UnknownSpeakerError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
