"""The one question pipeline every entry point runs (`ask`, `ask_stream`, the LangChain chain, the
chat, REST and `/v1`):

    clean -> follow-up -> route (quotation index | retrieval) -> retrieve -> rerank -> answer
    -> verify -> finish

Each stage reads and fills one typed `Turn`; a rule added to a stage holds everywhere.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from langchain_core.runnables import Runnable, RunnableLambda

from index import IndexStore
from index.documents import page_of
from prompts import load_prompt

from .answering import ExtractiveAnswerer
from .config import Settings
from .errors import NoIndexError, QuestionError
from .followups import FollowUp, is_more, resolve_follow_up
from .models import Answer, Citation, Passage
from .quotations import QuotationAnswerer
from .quote_questions import continued_question
from .retrieval import HybridRetriever, to_passage
from .turn import Answerer, Turn

if TYPE_CHECKING:
    from .llm import LLMAnswerer

_KEEP_CONTROLS = {"\n", "\t"}


def clean_question(question: str, max_chars: int) -> str:
    """The question without control characters and runs of whitespace, or a QuestionError.

    >>> clean_question("  What did\\x00 Budrys\\n say? ", 100)
    'What did Budrys say?'
    """
    if not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    if len(question) > max_chars:
        raise QuestionError(load_prompt("question_too_long").format(length=len(question), limit=max_chars))
    kept = "".join(
        ch for ch in question if ch in _KEEP_CONTROLS or not unicodedata.category(ch).startswith("C")
    )
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise QuestionError(load_prompt("empty_question"))
    return cleaned


def check_history(history: Sequence[dict] | None, max_turns: int, max_chars: int) -> list[dict]:
    """The earlier turns as given, or a QuestionError when they exceed the limits.

    >>> check_history([{"role": "user", "content": "hi"}], 5, 100)
    [{'role': 'user', 'content': 'hi'}]
    """
    turns = list(history or [])
    chars = sum(len(str(turn.get("content", ""))) for turn in turns)
    if len(turns) > max_turns or chars > max_chars:
        raise QuestionError(load_prompt("history_too_long").format(
            turns=len(turns), chars=chars, max_turns=max_turns, max_chars=max_chars))
    return turns


class QuestionPipeline:
    """The stages, over the parts the `Assistant` built once."""

    def __init__(
        self, settings: Settings, store: IndexStore, retriever: HybridRetriever, extractive: ExtractiveAnswerer,
        quotations: QuotationAnswerer, llm: LLMAnswerer | None = None,
    ):
        self.settings, self.store, self.retriever = settings, store, retriever
        self.extractive, self.quotations, self.llm = extractive, quotations, llm

    # --- the stages ----------------------------------------------------------------------------

    def start(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Turn:
        """clean and follow-up: the cleaned question read in the light of the conversation."""
        cleaned = clean_question(question, self.settings.max_question_chars)
        turns = check_history(history, self.settings.max_history_turns, self.settings.max_history_chars)
        if self.store.is_empty():
            raise NoIndexError(load_prompt("no_index"))
        continued = continued_question(turns, self.quotations.today()) if turns and is_more(cleaned) else None
        if continued is not None:  # "more": the next page of the last quotation answer, in words
            follow_up = FollowUp(continued.text(), continued.text())
        elif self.llm is not None and turns:
            standalone = self.llm.standalone(cleaned, turns)  # the model reads the conversation
            follow_up = FollowUp(standalone, standalone)
        else:
            follow_up = resolve_follow_up(cleaned, turns)  # by rule
        return Turn(question=cleaned, follow_up=follow_up, k=k or self.settings.k, history=turns)

    def route(self, turn: Turn) -> Turn:
        """A question about what someone quoted said goes to the quotation index; any other to retrieval."""
        with turn.timings.stage("quotations"):
            turn.quoted = self.quotations.match(turn.answering)
        turn.route = "retrieval" if turn.quoted is None else "quotations"
        return turn

    def retrieve(self, turn: Turn) -> Turn:
        """Hybrid candidates (dense + BM25), then, on the retrieval route, the evidence rerank of
        their sentences against the question to answer. On the quotation route the retrieved
        chunks only complete the answer's passages to k."""
        depth = turn.k if turn.route == "quotations" else max(turn.k, self.settings.rerank_depth)
        candidates, stages = self.retriever.retrieve(turn.follow_up.retrieval_query, k=depth)
        for name, ms in stages.items():
            turn.timings.add(name, ms)
        if turn.route == "quotations":
            turn.passages = candidates
            return turn
        t0 = time.perf_counter()
        turn.passages, turn.units, embed_ms = self.extractive.scorer.rerank(
            turn.answering, candidates, turn.k, stored=self.retriever.store.unit_vectors,
        )
        # "rerank" is the scoring and sorting; reading (or, for units not stored at ingest,
        # embedding) the candidates' sentence vectors is "embed_units".
        turn.timings.add("embed_units", embed_ms)
        turn.timings.add("rerank", (time.perf_counter() - t0) * 1000 - embed_ms)
        return turn

    def answerer(self, turn: Turn) -> Answerer:
        if turn.route == "quotations":
            return self.quotations
        return self.llm or self.extractive

    def finish(self, turn: Turn, answer: Answer, answered_from: float) -> Answer:
        """verify and finish: the question as asked, the quotation answer's passages completed to k,
        and the time of each stage."""
        if turn.route == "quotations":
            answer.passages = _completed(answer.passages, [to_passage(p) for p in turn.passages])
        answer.question = turn.question
        answer.citations = self.located(answer.citations)
        now = time.perf_counter()
        answer.timings_ms = {
            **turn.timings.rounded(),
            "retrieve": round((answered_from - turn.timings.started) * 1000, 2),
            "answer": round((now - answered_from) * 1000, 2),
            "total": round(turn.timings.since_start(), 2),
        }
        return answer

    def located(self, citations: list[Citation]) -> list[Citation]:
        """Citations with where to open them: the viewer's URL at their characters, and a PDF's page."""
        documents = self.store.documents_of([c.chunk_id for c in citations])
        placed = []
        for citation in citations:
            document = documents.get(citation.chunk_id)
            if document is None:  # (removed since it was retrieved)
                placed.append(citation)
                continue
            placed.append(citation.model_copy(update={
                "url": citation_url(document.doc_id, citation.start, citation.end),
                "page": page_of(document.pages, citation.start),
            }))
        return placed

    # --- running them --------------------------------------------------------------------------

    def prepare(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Turn:
        """Everything before the answer: a turn with its route and passages."""
        return self.retrieve(self.route(self.start(question, k, history)))

    def answer(self, turn: Turn) -> Answer:
        """Everything from the answer on, for a prepared turn."""
        answered_from = time.perf_counter()
        return self.finish(turn, self.answerer(turn).answer(turn), answered_from)

    def run(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Answer:
        return self.answer(self.prepare(question, k, history))

    def run_stream(
        self, question: str, k: int | None = None, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        turn = self.prepare(question, k, history)
        answered_from = time.perf_counter()
        for item in self.answerer(turn).stream(turn):
            yield self.finish(turn, item, answered_from) if isinstance(item, Answer) else item

    def runnable(self) -> Runnable:
        """The same stages as a LangChain runnable: a question (or {"question", "k", "history"}) -> Answer."""

        def start(request: str | dict) -> Turn:
            if isinstance(request, dict):
                return self.start(request.get("question"), request.get("k"), request.get("history"))  # type: ignore[arg-type]
            return self.start(request)

        return (
            RunnableLambda(start, name="clean_and_follow_up")
            | RunnableLambda(self.route, name="route")
            | RunnableLambda(self.retrieve, name="retrieve_and_rerank")
            | RunnableLambda(self.answer, name="answer_verify_finish")
        )


def citation_url(doc_id: str, start: int, end: int) -> str:
    """Where the viewer shows these characters of the document, relative to the server.

    >>> citation_url("cf81b2c5824e8abc", 10, 42)
    '/documents/cf81b2c5824e8abc?start=10&end=42'
    """
    return f"/documents/{doc_id}?start={start}&end={end}"


def _completed(cited: list[Passage], retrieved: list[Passage]) -> list[Passage]:
    """A quotation answer's passages: the chunks it cites, then retrieved ones up to as many as were
    retrieved, best first."""
    ids = {p.chunk_id for p in cited}
    extra = [p for p in retrieved if p.chunk_id not in ids][: max(0, len(retrieved) - len(cited))]
    return sorted([*cited, *extra], key=lambda p: -p.score)
