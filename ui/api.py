"""The REST API: `/api/ask` (JSON and server-sent events), `/api/documents`, `/api/speakers`
(who is quoted, and what they said), `/api/health`.

Every route calls the same `Assistant`; the Answer JSON is the contract of ARCHITECTURE.md.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StrictInt, StrictStr

from assistant import Answer, Assistant
from assistant.quotations import (
    SpeakerInfo,
    SpeakerQuotes,
    UnknownSpeakerError,
    lookup_speakers,
    speaker_info,
    speaker_quotes,
)

from .security import require_api_key


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

    def history_dicts(self) -> list[dict]:
        return [turn.model_dump() for turn in self.history]


class DocumentInfo(BaseModel):
    title: str
    source: str
    chunks: int
    chars: int
    ingested_at: datetime


def sse(event: str, data: dict) -> str:
    """One server-sent event.

    >>> sse("delta", {"text": "hi"})
    'event: delta\\ndata: {"text": "hi"}\\n\\n'
    """
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def build_router(assistant: Assistant) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["api"])
    protected = [Depends(require_api_key(assistant.settings))]

    @router.get("/health", summary="Liveness and index size")
    def health() -> dict:
        return {"status": "ok", "documents": len(assistant.store.documents()), "chunks": assistant.store.chunk_count()}

    @router.post("/ask", response_model=Answer, dependencies=protected, summary="Answer a question, with citations")
    def ask(request: AskRequest) -> Answer:
        return assistant.ask(request.question, k=request.k, history=request.history_dicts())

    @router.post(
        "/ask/stream", dependencies=protected, summary="Answer as server-sent events",
        description="Events: `delta` ({text}) pieces of the answer text, then `answer` (the full Answer JSON, "
        "with citations and passages; it is authoritative and may differ from the deltas when an LLM's "
        "text failed validation), then `done`. A bad question is a 4xx JSON error before any event.",
        response_class=StreamingResponse,
    )
    def ask_stream(request: AskRequest) -> StreamingResponse:
        items = assistant.ask_stream(request.question, k=request.k, history=request.history_dicts())
        first = next(items)  # a bad question raises here, as a 4xx, before any event is sent

        def events() -> Iterator[str]:
            for item in itertools.chain([first], items):
                if isinstance(item, Answer):
                    yield sse("answer", item.model_dump())
                else:
                    yield sse("delta", {"text": item})
            yield sse("done", {})

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @router.get("/documents", response_model=list[DocumentInfo], dependencies=protected, summary="Indexed documents")
    def documents() -> list[DocumentInfo]:
        return [
            DocumentInfo(title=d.title, source=d.source, chunks=d.chunks, chars=d.chars,
                         ingested_at=datetime.fromtimestamp(d.ingested_at, tz=UTC))
            for d in assistant.store.documents()
        ]

    @router.get(
        "/speakers", response_model=list[SpeakerInfo], dependencies=protected,
        summary="People quoted in the documents, most quoted first",
    )
    def speakers() -> list[SpeakerInfo]:
        return [speaker_info(s) for s in assistant.store.speakers()]

    @router.get(
        "/speakers/{name}/quotes", response_model=list[SpeakerQuotes], dependencies=protected,
        summary="A person's quotations, by document",
        description="`name` is a full name or a surname (case and accents do not matter: `ruginiene` finds "
        "Inga Ruginienė), or a title only one quoted person bears (`prime minister`). Several people may share "
        "a surname: each comes with their quotations. Offsets point into the document text. 404 when nobody "
        "by that name is quoted (the error lists close names).",
    )
    def speaker_quotations(name: str) -> list[SpeakerQuotes]:
        try:
            found = lookup_speakers(assistant.store, name)
        except UnknownSpeakerError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return [speaker_quotes(assistant.store, s) for s in found]

    return router

