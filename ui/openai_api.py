"""`POST /v1/chat/completions`, OpenAI-compatible, so a portal can use any OpenAI client.

The citations travel with the response, as Perplexity does it: a top-level `citations` list of
source identifiers (`citations[n-1]` is the source of marker `[n]`), plus `cited_passages`, the
full citation objects of the Answer contract (quote, start, end, ...), and `verification`
(`supported_share`, `removed`: the sentences taken out as unsupported). When streaming, every
chunk carries them, so a client that reads any chunk has them: the answer is validated in full
first, then sent in pieces (use `/api/ask/stream` for text as an LLM writes it).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, StrictBool, StrictInt, StrictStr, model_serializer

from assistant import Answer, Citation, QuestionError, Verification
from assistant.turn import text_deltas

from .access import AccessDep, CollectionsDep
from .dependencies import REQUIRE_API_KEY

MODEL_NAME = "assistant"  # the default collection; any collection's name is a model too
_DEFAULT_MODELS = {MODEL_NAME, "cited-extractive"}  # (the name this server gave its one model before collections)

router = APIRouter(prefix="/v1", tags=["openai"], dependencies=[REQUIRE_API_KEY])

# --- requests ----------------------------------------------------------------------------------------------


class TextPart(BaseModel):
    """A content part; only text is read (the assistant answers from its documents, not from images)."""

    type: Literal["text"]
    text: StrictStr

    model_config = {"extra": "allow"}


class Message(BaseModel):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: StrictStr | list[TextPart] | None = None


class ChatCompletionRequest(BaseModel):
    model: str = Field(MODEL_NAME, description="The collection to answer from: `assistant` for the server's default, "
                       "or a collection's name (GET /v1/models lists those the key may use).")
    messages: list[Message] = Field(..., min_length=1)
    k: StrictInt | None = Field(None, ge=1, le=50, description="Extension: passages to retrieve.")
    stream: StrictBool = False

    model_config = {"extra": "allow"}  # temperature, max_tokens...: accepted, not used by the extractive answerer


# --- responses ---------------------------------------------------------------------------------------------


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "local"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Delta(BaseModel):
    """What a chunk adds to the message; a field it does not change is left out, as OpenAI does."""

    role: Literal["assistant"] | None = None
    content: str | None = None

    @model_serializer(mode="wrap")
    def _only_what_changed(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {name: value for name, value in handler(self).items() if value is not None}


class ChunkChoice(BaseModel):
    index: int = 0
    delta: Delta
    finish_reason: Literal["stop"] | None = None


class Usage(BaseModel):
    """Not counted: the extractive answerer spends no tokens."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class CitedCompletion(BaseModel):
    """The fields of a completion and of a chunk alike: OpenAI's, then the citations beside them."""

    id: str
    object: str  # each subclass narrows `object` and `choices`, which keep their place in the JSON
    created: int
    model: str
    choices: list[Any]
    citations: list[str] = Field(..., description="`citations[n-1]` names the source of marker [n]: "
                                 "`<source>#<start>-<end>`.")
    cited_passages: list[Citation] = Field(..., description="The citations of the Answer contract.")
    verification: Verification
    refused: bool

    @staticmethod
    def fields_of(answer: Answer) -> dict[str, Any]:
        return {
            "citations": [f"{c.source}#{c.start}-{c.end}" for c in answer.citations],
            "cited_passages": answer.citations, "verification": answer.verification, "refused": answer.refused,
        }


class ChatCompletion(CitedCompletion):
    object: Literal["chat.completion"] = "chat.completion"
    choices: list[Choice]
    usage: Usage = Field(default_factory=Usage)


class ChatCompletionChunk(CitedCompletion):
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    choices: list[ChunkChoice]


# --- routes ------------------------------------------------------------------------------------------------


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


@router.get("/models", summary="The collections this key may use, as models")
def models(collections: CollectionsDep, access: AccessDep) -> ModelList:
    names = access.visible(collections)
    return ModelList(data=[ModelCard(id=MODEL_NAME)] * bool(names) + [ModelCard(id=name) for name in names])


def collection_of(model: str) -> str | None:
    """The collection a `model` names: None (the default) for `assistant`.

    >>> collection_of("assistant"), collection_of("news")
    (None, 'news')
    """
    return None if model in _DEFAULT_MODELS else model


@router.post(
    "/chat/completions", response_model=ChatCompletion, summary="OpenAI-compatible chat completion, with citations",
    responses={200: {"content": {"text/event-stream": {"description": "With `stream: true`: chat.completion.chunk "
                                                                      "events, then `data: [DONE]`."}}}},
)
def chat_completions(
    request: ChatCompletionRequest, collections: CollectionsDep, access: AccessDep
) -> ChatCompletion | Response:
    assistant = access.assistant(collections, collection_of(request.model))
    question, history = question_and_history(request.messages)
    answer = assistant.ask(question, k=request.k, history=history)
    head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": request.model,
            **CitedCompletion.fields_of(answer)}
    if not request.stream:
        return ChatCompletion(**head, choices=[Choice(message=AssistantMessage(content=answer.answer))])

    def chunk(delta: Delta, finish: Literal["stop"] | None = None) -> bytes:
        body = ChatCompletionChunk(**head, choices=[ChunkChoice(delta=delta, finish_reason=finish)])
        return format_sse_event(data_str=body.model_dump_json())

    def events() -> Iterator[bytes]:
        # The answer is whole before the first event (it was validated), so the pieces are framed here
        # with FastAPI's SSE encoder rather than by a streaming endpoint.
        yield chunk(Delta(role="assistant", content=""))
        for piece in text_deltas(answer.answer):
            yield chunk(Delta(content=piece))
        yield chunk(Delta(), "stop")
        yield format_sse_event(data_str="[DONE]")

    return EventSourceResponse(events(), headers={"Cache-Control": "no-cache"})
