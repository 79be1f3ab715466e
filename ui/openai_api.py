"""`POST /v1/chat/completions`, OpenAI-compatible, so a portal can use any OpenAI client.

The citations travel with the response, as Perplexity does it: a top-level `citations` list of
source identifiers (`citations[n-1]` is the source of marker `[n]`), plus `cited_passages`, the
full citation objects of the Answer contract (quote, start, end, ...), and `verification`
(`supported_share`, `removed`: the sentences taken out as unsupported). When streaming, every
chunk carries them, so a client that reads any chunk has them: the answer is validated in full
first, then sent in pieces (use `/api/ask/stream` for text as an LLM writes it).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, StrictBool, StrictInt, StrictStr

from assistant import Answer, Assistant, QuestionError
from assistant.core import text_deltas

from .security import require_api_key

MODEL_NAME = "cited-extractive"


class TextPart(BaseModel):
    """A content part; only text is read (the assistant answers from its documents, not from images)."""

    type: Literal["text"]
    text: StrictStr

    model_config = {"extra": "allow"}


class Message(BaseModel):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: StrictStr | list[TextPart] | None = None


class ChatCompletionRequest(BaseModel):
    model: str = MODEL_NAME
    messages: list[Message] = Field(..., min_length=1)
    k: StrictInt | None = Field(None, ge=1, le=50, description="Extension: passages to retrieve.")
    stream: StrictBool = False

    model_config = {"extra": "allow"}  # temperature, max_tokens...: accepted, not used by the extractive answerer


def text_of(message: Message) -> str:
    """A message's text: its string content, or its text parts joined."""
    if isinstance(message.content, list):
        return " ".join(part.text for part in message.content)
    return message.content or ""


def question_and_history(messages: list[Message]) -> tuple[str, list[dict]]:
    """The last user message's text, and the user/assistant turns before it."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            history = [{"role": m.role, "content": text_of(m)} for m in messages[:i] if m.role in ("user", "assistant")]
            return text_of(messages[i]), history
    raise QuestionError("no user message: send messages=[{\"role\": \"user\", \"content\": \"your question\"}]")


def citation_fields(answer: Answer) -> dict:
    """What travels beside the message: the citations, and how far the answer is verified."""
    return {
        "citations": [f"{c.source}#{c.start}-{c.end}" for c in answer.citations],
        "cited_passages": [c.model_dump() for c in answer.citations],
        "verification": answer.verification.model_dump(),
        "refused": answer.refused,
    }


def build_router(assistant: Assistant) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[Depends(require_api_key(assistant.settings))])

    @router.get("/models", summary="The one model this server offers")
    def models() -> dict:
        return {"object": "list", "data": [{"id": MODEL_NAME, "object": "model", "created": 0, "owned_by": "local"}]}

    @router.post("/chat/completions", summary="OpenAI-compatible chat completion, with citations")
    def chat_completions(request: ChatCompletionRequest):
        question, history = question_and_history(request.messages)
        answer = assistant.ask(question, k=request.k, history=history)
        ident, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        extra = citation_fields(answer)
        if not request.stream:
            return {
                "id": ident, "object": "chat.completion", "created": created, "model": request.model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                **extra,
            }

        def chunks() -> Iterator[str]:
            def chunk(delta: dict, finish: str | None) -> str:
                body = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": request.model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
                return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

            yield chunk({"role": "assistant", "content": ""}, None)
            for delta in text_deltas(answer.answer):
                yield chunk({"content": delta}, None)
            yield chunk({}, "stop")
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    return router
