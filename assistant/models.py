"""The Answer contract (see docs/ARCHITECTURE.md): what `ask` returns and `--json` / the API print."""

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
    url: str | None = None  # the viewer at this place: /documents/<id>?start=..&end=.. (relative to the server)
    page: int | None = None  # a PDF's page (from 1) where the quote starts


class RemovedSentence(BaseModel):
    text: str  # the sentence as the model wrote it (markers included)
    reason: str  # why it was removed, for a person: "2022 in the claim, 2021 in the passage"


class Verification(BaseModel):
    """How far the answer's sentences are supported by what they cite (see assistant/support.py)."""

    supported_share: float = 1.0  # of the sentences given (kept and removed), the share supported
    removed: list[RemovedSentence] = Field(default_factory=list)


class MoreQuotations(BaseModel):
    """What a quotation answer's page left out, and how to see it."""

    quotations: int  # not shown yet
    documents: int  # documents holding them
    offset: int  # rank of the next page's first quotation
    # The question that shows the next page, on its own: "What did Donald Trump say? (from quotation
    # 11)"; "more" does too, asked with this answer in the history.
    ask: str


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    verification: Verification = Field(default_factory=Verification)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    more: MoreQuotations | None = None  # a quotation answer with more pages: what is left
