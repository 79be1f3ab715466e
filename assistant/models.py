"""The Answer contract (see ARCHITECTURE.md): what `ask` returns and `--json` / the API print."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Passage(BaseModel):
    chunk_id: str
    source: str
    title: str
    start: int
    end: int
    text: str  # exactly document_text[start:end]
    score: float  # fused retrieval score, higher is better


class Citation(BaseModel):
    n: int
    source: str
    title: str
    chunk_id: str
    start: int
    end: int
    quote: str  # exactly document_text[start:end]
    score: float


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
