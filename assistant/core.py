"""`Assistant`: the Python API the CLI and the UI share. Builds the parts once and answers questions.

    >>> from assistant import Assistant, Settings                      # doctest: +SKIP
    >>> Assistant(Settings()).ask("What did Budrys say?").answer       # doctest: +SKIP
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
import time
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

import index
from index import IndexStore, IngestReport, ingest, open_chroma_client
from index.embedding import SentenceEmbedder
from prompts import load_prompt

from .answering import ExtractiveAnswerer
from .config import Settings
from .factory import make_embedder
from .errors import AssistantError, NoIndexError, QuestionError, StoreUnavailableError
from .followups import FollowUp, resolve_follow_up
from .models import Answer, Passage
from .quotations import (
    QuotationAnswerer, QuotationMatch, SpeakerInfo, SpeakerQuotes, lookup_speakers, speaker_info, speaker_quotes,
)
from .retrieval import HybridRetriever, to_passage

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


class Assistant:
    """Retriever + answerer over one index. Expensive parts may be passed in to share them."""

    def __init__(self, settings: Settings | None = None, *, embedder: SentenceEmbedder | None = None, chroma_client=None):
        self.settings = settings or Settings()
        try:  # before the model loads: an unwritable index directory is said at once, in one line
            index.ensure_index_dir(self.settings.index_dir)
        except index.IndexDirError as exc:
            raise AssistantError(str(exc)) from exc
        self.embedder = embedder or make_embedder(self.settings)
        with store_errors():
            client = chroma_client or open_chroma_client(self.settings.index_dir, self.settings.chroma_url)
            self.store = IndexStore(self.settings.index_dir, client, self.embedder, self.settings.collection)
        self.retriever = HybridRetriever(
            store=self.store, embedder=self.embedder, k=max(self.settings.k, self.settings.rerank_depth),
            candidates=self.settings.candidates, rrf_k=self.settings.rrf_k,
        )
        self.answerer = ExtractiveAnswerer(
            self.embedder, refusal_threshold=self.settings.refusal_threshold,
            max_units=self.settings.max_answer_units, max_words=self.settings.max_answer_words,
            document_lead=self.store.document_lead,
        )
        self.llm = None
        if self.settings.llm:
            from .llm import LLMAnswerer, make_chat_model

            chat_model = make_chat_model(
                self.settings.llm, base_url=self.settings.llm_base_url, timeout=self.settings.llm_timeout,
                api_key=self.settings.llm_api_key.get_secret_value(),
            )
            self.llm = LLMAnswerer(chat_model, self.embedder, self.answerer, self.settings.refusal_threshold)
        self.quotations = QuotationAnswerer(self.store, self.embedder)
        self._ingest_lock = threading.Lock()

    @property
    def chain(self) -> Runnable:
        """question -> Answer, as a LangChain runnable: a quotation question answered from the
        quotation index, any other by the hybrid retriever, then rerank and answer."""

        def rerank_and_answer(x: dict) -> Answer:
            passages, scored = self.answerer.rerank(x["question"], x["passages"], self.settings.k)
            return (self.llm or self.answerer).answer(x["question"], passages, scored)

        retrieval = {"question": RunnablePassthrough(), "passages": self.retriever} | RunnableLambda(rerank_and_answer)

        def route(question: str) -> Runnable | Answer:
            quoted = self.quotations.match(question)
            if quoted is None:
                return retrieval  # a Runnable returned by a RunnableLambda is invoked with the same input
            answer = self._answer_quotations(quoted, [], {})
            answer.question = question
            return answer

        return RunnableLambda(route)

    # What the UI and the CLI may read of the index (they never reach into the store).

    def documents(self) -> list[index.DocumentRecord]:
        """The indexed documents, in catalogue order."""
        with store_errors():
            return self.store.documents()

    def chunk_count(self) -> int:
        with store_errors():
            return self.store.chunk_count()

    def speakers(self) -> list[SpeakerInfo]:
        """The people quoted in the documents, most quoted first."""
        with store_errors():
            return [speaker_info(s) for s in self.store.speakers()]

    def speaker_quotations(self, name: str) -> list[SpeakerQuotes]:
        """The quotations of everyone `name` may mean (a full name, a surname, or a title only one
        person bears), by document; UnknownSpeakerError (listing close names) when nobody is quoted."""
        with store_errors():
            return [speaker_quotes(self.store, s) for s in lookup_speakers(self.store, name)]

    def sample_texts(self, limit: int) -> list[str]:
        """Up to `limit` chunk texts, for example questions."""
        with store_errors():
            return self.store.sample_texts(limit)

    def example_questions(self, limit: int = 4) -> list[str]:
        """Questions the documents answer: "What did X say?" for the people most quoted in them (by
        the shortest name they go by), then "What is <title> about?"; an index built before quotations
        were stored finds its speakers in a sample of its chunks."""
        names = [min(s.forms, key=len) for s in self.speakers()[:limit]]
        if not names:
            counts: dict[str, int] = {}
            for text in self.sample_texts(200):
                for quotation in index.extract_quotations(text):
                    counts[quotation.speaker] = counts.get(quotation.speaker, 0) + 1
            names = sorted(counts, key=lambda name: -counts[name])
        questions = [f"What did {name} say?" for name in names]
        questions += [f"What is “{d.title}” about?" for d in self.documents()[:limit]]
        return questions[:limit]

    def retrieve(self, question: str, k: int | None = None, answering: str | None = None):
        """The k best passages for a cleaned question, with their scored sentence units and the
        time each stage took: hybrid candidates (dense + BM25), then the evidence rerank (of the
        sentences' fit to `answering`, when the question to answer differs from the query)."""
        k = k or self.settings.k
        candidates, stages = self.retriever.retrieve(question, k=max(k, self.settings.rerank_depth))
        t0 = time.perf_counter()
        passages, scored = self.answerer.rerank(answering or question, candidates, k, stages)
        # "rerank" is the scoring and sorting; embedding the candidates' sentences is "embed_units".
        stages["rerank"] = (time.perf_counter() - t0) * 1000 - stages.get("embed_units", 0.0)
        return passages, scored, stages

    def ingest(self, paths: list[str | Path] | None = None, *, prune: bool = False, wait: bool = True) -> IngestReport:
        """Ingest `paths` (default: the seeds) under the index's writer lock: while another process
        writes the index this waits for it, or with `wait` False raises AssistantError."""
        with self._ingest_lock, store_errors():
            try:
                return ingest(
                    paths or [self.settings.seeds_dir], self.store, self.embedder, prune=prune,
                    max_words=self.settings.chunk_words, overlap_sentences=self.settings.chunk_overlap_sentences,
                    max_file_mb=self.settings.max_file_mb, wait=wait,
                    # A Chroma server may hold other hosts' vectors, which this catalogue does not list.
                    remove_orphans=not self.settings.chroma_url,
                )
            except index.IndexBusyError as exc:
                raise AssistantError(str(exc)) from exc

    def ask(self, question: str, k: int | None = None, history: Sequence[dict] | None = None) -> Answer:
        """Answer one question with citations; QuestionError / NoIndexError say what to fix.

        `history` holds the earlier turns of the conversation, oldest first, as
        {"role": "user" | "assistant", "content": text}; a follow-up is read in their light.
        A question about what someone said ("What did Budrys say?") is answered from the
        quotation index when that person is quoted; any other goes through retrieval.
        """
        t0 = time.perf_counter()
        with store_errors():
            question, follow_up, quoted, passages, scored, stages = self._prepare(question, k, history)
            t1 = time.perf_counter()
            if quoted is not None:
                return self._finish(self._answer_quotations(quoted, passages, stages), question, stages, t0, t1)
        answer = (self.llm or self.answerer).answer(follow_up.question, passages, scored)
        return self._finish(answer, question, stages, t0, t1)

    def ask_stream(
        self, question: str, k: int | None = None, history: Sequence[dict] | None = None
    ) -> Iterator[str | Answer]:
        """Pieces of the answer text as they come (from the LLM, when one is configured), then the
        final, validated Answer, which is authoritative: it may replace what was streamed."""
        t0 = time.perf_counter()
        with store_errors():
            question, follow_up, quoted, passages, scored, stages = self._prepare(question, k, history)
            t1 = time.perf_counter()
            if quoted is not None:
                answer = self._answer_quotations(quoted, passages, stages)
        if quoted is None:
            if self.llm is not None:
                for item in self.llm.stream(follow_up.question, passages, scored):
                    yield self._finish(item, question, stages, t0, t1) if isinstance(item, Answer) else item
                return
            answer = self.answerer.answer(follow_up.question, passages, scored)
        answer = self._finish(answer, question, stages, t0, t1)
        yield from text_deltas(answer.answer)
        yield answer

    def _prepare(self, question: str, k: int | None, history: Sequence[dict] | None):
        """The cleaned question, its follow-up reading, and either a quotation match with the
        passages to show beside it, or the retrieved passages with their scored units."""
        question = clean_question(question, self.settings.max_question_chars)
        history = check_history(history, self.settings.max_history_turns, self.settings.max_history_chars)
        if self.store.is_empty():
            raise NoIndexError(load_prompt("no_index"))
        follow_up = resolve_follow_up(question, history)
        if self.llm is not None and history:
            from .llm import condense_question

            standalone = condense_question(self.llm.chat_model, question, history)
            follow_up = FollowUp(standalone, standalone)
        t0 = time.perf_counter()
        quoted = self.quotations.match(follow_up.question)
        lookup_ms = (time.perf_counter() - t0) * 1000
        if quoted is not None:
            # The quotations are the answer; the retrieved chunks only complete its passages to k.
            candidates, stages = self.retriever.retrieve(follow_up.retrieval_query, k=k or self.settings.k)
            stages["quotations"] = lookup_ms
            return question, follow_up, quoted, [to_passage(c) for c in candidates], [], stages
        passages, scored, stages = self.retrieve(follow_up.retrieval_query, k, answering=follow_up.question)
        stages["quotations"] = lookup_ms
        return question, follow_up, None, passages, scored, stages

    def _answer_quotations(self, quoted: QuotationMatch, retrieved: list[Passage], stages: dict) -> Answer:
        """The quotation answer; its passages are the chunks it cites (best first), then the
        retrieved ones up to k."""
        answer = self.quotations.answer(quoted, stages)
        cited = {p.chunk_id for p in answer.passages}
        extra = [p for p in retrieved if p.chunk_id not in cited][: max(0, len(retrieved) - len(cited))]
        answer.passages = sorted([*answer.passages, *extra], key=lambda p: -p.score)
        return answer

    @staticmethod
    def _finish(answer: Answer, question: str, stages: dict, t0: float, t1: float) -> Answer:
        t2 = time.perf_counter()
        answer.question = question
        answer.timings_ms = {
            **{name: round(ms, 2) for name, ms in stages.items()},
            "retrieve": round((t1 - t0) * 1000, 2),
            "answer": round((t2 - t1) * 1000, 2),
            "total": round((t2 - t0) * 1000, 2),
        }
        return answer


@contextmanager
def store_errors():
    """The index's 'Chroma server unreachable' as the assistant's error (CLI message, HTTP 503)."""
    try:
        yield
    except index.StoreUnavailableError as exc:
        raise StoreUnavailableError(str(exc)) from exc


def text_deltas(text: str, step: int = 4) -> Iterator[str]:
    """The text in pieces of a few words that concatenate back to it exactly.

    >>> list(text_deltas("a b c", step=2))
    ['a b', ' c']
    """
    words = text.split(" ")
    for i in range(0, len(words), step):
        yield (" " if i else "") + " ".join(words[i : i + step])
