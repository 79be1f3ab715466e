"""One question's way through the pipeline: the typed `Turn` every stage reads and fills, the
`Timings` of its stages, and the `Answerer` protocol the three answerers (extractive, LLM,
quotations) implement.

    >>> timings = Timings()
    >>> with timings.stage("dense"):
    ...     pass
    >>> list(timings.rounded())
    ['dense']
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from langchain_core.documents import Document

from .followups import FollowUp

if TYPE_CHECKING:
    from .models import Answer
    from .quotations import QuotationMatch
    from .units import Unit

ScoredUnit = tuple[float, "Unit"]
Route = Literal["retrieval", "quotations"]


class Timings:
    """Milliseconds per stage of one turn. Only the pipeline times stages; a part that does two
    things in one call (the rerank embeds sentences, then scores them) returns how long the first took."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, (time.perf_counter() - t0) * 1000)

    def add(self, name: str, ms: float) -> None:
        self.ms[name] = self.ms.get(name, 0.0) + ms

    def since_start(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def rounded(self) -> dict[str, float]:
        return {name: round(ms, 2) for name, ms in self.ms.items()}


@dataclass
class Turn:
    """A question as the pipeline carries it: as asked (cleaned), as understood in the light of the
    conversation, how it is answered (`route`), and what was found for it."""

    question: str  # as asked, cleaned: what the Answer repeats
    follow_up: FollowUp  # what to search for, and what the answer must answer
    k: int  # passages handed to the answerer
    history: list[dict] = field(default_factory=list)
    route: Route = "retrieval"
    quoted: QuotationMatch | None = None  # the quotation index's match, on the "quotations" route
    passages: list[Document] = field(default_factory=list)  # best first
    units: list[ScoredUnit] = field(default_factory=list)  # the passages' sentence units, best first
    timings: Timings = field(default_factory=Timings)

    @property
    def answering(self) -> str:
        """The question the answer must answer (a follow-up read as a standalone question)."""
        return self.follow_up.question


class Answerer(Protocol):
    """What turns a retrieved `Turn` into an `Answer`: the extractive, LLM and quotation answerers."""

    def answer(self, turn: Turn) -> Answer: ...

    def stream(self, turn: Turn) -> Iterator[str | Answer]:
        """Pieces of the answer text as they come, then the final Answer (authoritative)."""
        ...


def text_deltas(text: str, step: int = 4) -> Iterator[str]:
    """The text in pieces of a few words that concatenate back to it exactly.

    >>> list(text_deltas("a b c", step=2))
    ['a b', ' c']
    """
    words = text.split(" ")
    for i in range(0, len(words), step):
        yield (" " if i else "") + " ".join(words[i : i + step])
