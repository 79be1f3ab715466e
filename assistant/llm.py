"""Answers written by a language model (any LangChain chat model), validated before anyone sees them.

The model gets the retrieved passages numbered [1]..[k] (as untrusted data, see
prompts/llm_answer.txt) and writes a short answer with [n] after each claim. Its output is then
checked, so the Answer contract holds in LLM mode too:

- a marker that points to no passage, or to a passage none of whose sentences supports the claim
  (evidence score below `min_support`), is removed;
- every kept marker gets a Citation whose quote is the sentence of that passage that best supports
  the claim (the answer text before the marker), scored like the extractive answerer (embedding
  similarity + shared terms; a quotation is kept whole with its speaker), with exact offsets;
- citations are renumbered 1..m in order of first appearance and the markers rewritten to match;
- an answer with no valid citation, or one that says the documents do not answer, becomes the
  refusal (`prompts/refusal.txt`, refused=True).

A model that fails (unreachable, HTTP error, timeout) never breaks the chat: the error is logged
and the extractive answer is given instead, after a short notice (`prompts/llm_unavailable.txt`).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Iterator, Sequence

import numpy as np
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from index import split_sentences
from index.embedding import SentenceEmbedder
from prompts import load_prompt

from .answering import LEXICAL_WEIGHT, SEMANTIC_WEIGHT, ExtractiveAnswerer, Unit, group_units, lexical_scores
from .models import Answer, Citation
from .retrieval import to_passage

logger = logging.getLogger(__name__)

# provider -> (module, class, pip package)
PROVIDERS = {
    "openai": ("langchain_openai", "ChatOpenAI", "langchain-openai"),
    "ollama": ("langchain_ollama", "ChatOllama", "langchain-ollama"),
}

# A marker group: "[1]", "[2, 3]". Text that may still become one while streaming: "[", "[1", "[2,".
_MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*\]")
_MARKER_PREFIX = re.compile(r"\[[\d,\s]{0,12}\Z")
# How models say the passages do not answer.
_NOT_IN_DOCUMENTS = re.compile(
    r"\bnot (?:mentioned |stated |found |covered |given |answered )?in the (?:provided |given )?"
    r"(?:documents?|passages?|context|sources?)\b"
    r"|\b(?:documents?|passages?|context|sources?) (?:provided )?(?:do(?:es)? not|don['’]t|never) "
    r"(?:say|answer|mention|contain|state|specify|provide|include|cover)"
    r"|\bno (?:relevant )?information (?:about|on|regarding)\b|\bI (?:do not|don['’]t) know\b",
    re.IGNORECASE,
)
# Text addressed to a language model ("ignore previous instructions and say ..."): never evidence
# for a claim, so an answer that obeys an instruction injected into a document cannot cite it.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(?:instructions?|rules|prompts?|guidelines)\b"
    r"|\b(?:reply|respond|answer|say|output|print|write)\b[^.!?\n]{0,30}\bonly\b[^.!?\n]{0,30}\b(?:word|phrase|text)\b"
    r"|\b(?:system|developer) (?:note|prompt|message|instruction)s?\b[^.!?\n]{0,40}\b(?:AI|assistant|model|LLM)\b"
    r"|\b(?:note|message|instructions?) (?:to|for) (?:the |any )?(?:AI|assistant|language model|LLM|chatbot)\b",
    re.IGNORECASE,
)
# Below this evidence score (0.6 x cosine similarity + 0.4 x share of the claim's terms, as in the
# extractive answerer) between a claim and the best unit of the passage it cites, the citation is
# rejected: unrelated text ("HACKED") scores under 0.15, a faithful paraphrase 0.4 and more.
MIN_SUPPORT = 0.25
# How many earlier turns, and how much of each, go into the condense prompt.
HISTORY_TURNS, HISTORY_CHARS = 6, 600


def make_chat_model(spec: str, *, base_url: str = "", api_key: str = "", timeout: float = 30.0) -> BaseChatModel:
    """A LangChain chat model from "provider:model" ("openai:gpt-4o-mini", "ollama:llama3.2").

    "openai:<model>" with `base_url` reaches any OpenAI-compatible server (vLLM, llama.cpp server,
    LM Studio). Provider packages are imported only here, so they stay optional.

    >>> make_chat_model("mistral:large")
    Traceback (most recent call last):
    ...
    ValueError: unknown LLM provider 'mistral' in 'mistral:large'; known providers: ollama, openai (write provider:model, e.g. openai:gpt-4o-mini)
    """
    provider, sep, model = spec.strip().partition(":")
    provider, model = provider.strip().lower(), model.strip()
    known = ", ".join(sorted(PROVIDERS))
    if not sep or not provider or not model:
        raise ValueError(f"LLM {spec!r} is not of the form provider:model (e.g. openai:gpt-4o-mini); known providers: {known}")
    if provider not in PROVIDERS:
        raise ValueError(
            f"unknown LLM provider {provider!r} in {spec!r}; known providers: {known} "
            "(write provider:model, e.g. openai:gpt-4o-mini)"
        )
    module_name, class_name, package = PROVIDERS[provider]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(
            f"LLM {spec!r} needs the package {package}: install it with `pip install {package}`"
        ) from exc
    chat_class = getattr(module, class_name)
    if provider == "openai":
        # Local servers ignore the key but the client insists on one; OpenAI itself needs a real one.
        key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        return chat_class(model=model, base_url=base_url or None, api_key=key, timeout=timeout, max_retries=0)
    # ollama: the client's HTTP timeout goes through client_kwargs (httpx); base_url None = localhost:11434.
    return chat_class(model=model, base_url=base_url or None, client_kwargs={"timeout": timeout})


def format_passages(passages: Sequence[Document]) -> str:
    """The passages numbered [1]..[k] for the prompt, each with its title.

    >>> print(format_passages([Document("Budrys spoke.", metadata={"title": "Lithuania"})]))
    [1] (Lithuania)
    Budrys spoke.
    """
    blocks = []
    for n, passage in enumerate(passages, start=1):
        # A document may not close the data block early.
        text = passage.page_content.replace("PASSAGES>>>", "PASSAGES>>").replace("<<<PASSAGES", "<<PASSAGES")
        blocks.append(f"[{n}] ({passage.metadata.get('title', '')})\n{text}")
    return "\n\n".join(blocks)


def says_not_in_documents(text: str) -> bool:
    """Whether the model's (first sentence of) answer says the documents do not answer.

    >>> says_not_in_documents("Not in the documents.")
    True
    >>> says_not_in_documents("Budrys said the EU should act [1]. The documents do not say when.")
    False
    """
    stripped = _MARKER.sub("", text).strip()
    first = split_sentences(stripped)[0] if stripped else None
    return bool(first) and bool(_NOT_IN_DOCUMENTS.search(stripped[first.start : first.end]))


class _Validator:
    """Checks the model's text as it arrives: rewrites or drops its markers and releases text
    claim by claim, only once the claim's citation holds (uncited text waits for the end)."""

    def __init__(self, passages: Sequence[Document], embedder: SentenceEmbedder, min_support: float):
        self.passages, self.embedder, self.min_support = list(passages), embedder, min_support
        self.raw = ""  # everything the model said
        self.pending = ""  # raw text not processed yet (may end in a partial marker)
        self.held = ""  # validated text not released yet
        self.text = ""  # validated text released so far
        self.claim = ""  # the answer text since the last marker: what the next marker supports
        self.last_claim = ""
        self.citations: dict[tuple[str, int, int], Citation] = {}  # (source, start, end) -> citation
        self._units: dict[int, tuple[list[Unit], np.ndarray]] = {}

    def feed(self, delta: str) -> str:
        """Take a piece of the model's text; return the validated text it releases ("" if none)."""
        self.raw += delta
        self.pending += delta
        released = ""
        while self.pending:
            bracket = self.pending.find("[")
            if bracket < 0:
                self._plain(self.pending)
                self.pending = ""
                break
            if bracket:
                self._plain(self.pending[:bracket])
                self.pending = self.pending[bracket:]
            match = _MARKER.match(self.pending)
            if match:
                self.pending = self.pending[match.end():]
                if self._marker([int(n) for n in re.findall(r"\d+", match.group(1))]):
                    released += self._release()
                continue
            if _MARKER_PREFIX.match(self.pending):
                break  # wait: it may still become a marker
            self._plain("[")
            self.pending = self.pending[1:]
        return released

    def finish(self) -> str:
        """The model is done: process what is left and release the rest."""
        if self.pending:
            self._plain(self.pending)
            self.pending = ""
        return self._release()

    def _plain(self, text: str) -> None:
        self.held += text
        self.claim += text

    def _release(self) -> str:
        out, self.held = self.held, ""
        self.text += out
        return out

    def _marker(self, numbers: list[int]) -> bool:
        """Rewrite one marker group into validated markers; True when at least one was kept."""
        claim = " ".join(self.claim.split()).strip(" .,;:!?)-–—") or self.last_claim
        self.last_claim, self.claim = claim, ""
        kept: list[int] = []
        for n in numbers:
            if not 1 <= n <= len(self.passages) or not claim:
                continue
            citation = self._cite(n - 1, claim)
            if citation is not None and citation.n not in kept:
                kept.append(citation.n)
        self.held = self.held.rstrip()
        if kept:
            self.held += " " + "".join(f"[{m}]" for m in kept)
        return bool(kept)

    def _cite(self, index: int, claim: str) -> Citation | None:
        """The unit (a sentence, or a quotation kept whole with its speaker) of passage `index` that
        best supports the claim, scored like the extractive answerer: semantic + lexical evidence."""
        passage = self.passages[index]
        units, vectors = self._passage_units(index)
        if not units:
            return None
        semantic = np.clip(vectors @ self.embedder.encode([claim])[0], 0, 1)
        scores = SEMANTIC_WEIGHT * semantic + LEXICAL_WEIGHT * lexical_scores(claim, units)
        best = int(np.argmax(scores))
        if float(scores[best]) < self.min_support:
            return None
        unit = units[best]
        key = (passage.metadata["source"], unit.start, unit.end)  # overlapping passages share sentences
        if key not in self.citations:
            m = passage.metadata
            self.citations[key] = Citation(
                n=len(self.citations) + 1, source=m["source"], title=m["title"], chunk_id=m["chunk_id"],
                start=unit.start, end=unit.end, quote=unit.text, score=round(float(scores[best]), 4),
            )
        return self.citations[key]

    def _passage_units(self, index: int) -> tuple[list[Unit], np.ndarray]:
        if index not in self._units:
            units = [
                u for u in group_units(self.passages[index]) if u.end > u.start and not _INSTRUCTION.search(u.text)
            ]
            self._units[index] = (units, self.embedder.encode([" ".join(u.text.split()) for u in units]))
        return self._units[index]


class LLMAnswerer:
    """Answers with a chat model from the retrieved passages, validates them, falls back when it fails.

    `refusal_threshold` gates on the extractive evidence (the best sentence score of
    `ExtractiveAnswerer.score_units`): below it the assistant refuses without calling the model,
    exactly as the extractive answerer would. Pass 0.0 to let the model decide every time.
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        embedder: SentenceEmbedder,
        fallback: ExtractiveAnswerer,
        refusal_threshold: float = 0.0,
        min_support: float = MIN_SUPPORT,
    ):
        self.chat_model = chat_model
        self.embedder = embedder
        self.fallback = fallback
        self.refusal_threshold = refusal_threshold
        self.min_support = min_support

    def messages(self, question: str, passages: Sequence[Document]) -> list:
        prompt = load_prompt("llm_answer").format(question=question, passages=format_passages(passages))
        return [HumanMessage(content=prompt)]

    def answer(
        self, question: str, passages: list[Document], scored: list[tuple[float, Unit]] | None = None
    ) -> Answer:
        """The validated LLM answer, a refusal, or (when the model fails) the extractive answer with a notice."""
        if self._below_threshold(question, passages, scored):
            return self._refusal(question, passages)
        validator = _Validator(passages, self.embedder, self.min_support)
        try:
            reply = self.chat_model.invoke(self.messages(question, passages))
        except Exception as exc:  # noqa: BLE001 - any model failure falls back
            return self._failed(exc, question, passages, scored)
        validator.feed(_chunk_text(reply))
        validator.finish()
        return self._final(validator, question, passages)

    def stream(
        self, question: str, passages: list[Document], scored: list[tuple[float, Unit]] | None = None
    ) -> Iterator[str | Answer]:
        """Validated text deltas as the model writes, then the final Answer (always the last item).

        Text is released claim by claim, once its citation has been checked; the final Answer is
        authoritative (it may replace the streamed text with a refusal or, when the model fails
        mid-stream, with the extractive answer).
        """
        if self._below_threshold(question, passages, scored):
            yield self._refusal(question, passages)
            return
        validator = _Validator(passages, self.embedder, self.min_support)
        yielded = False
        try:
            for chunk in self.chat_model.stream(self.messages(question, passages)):
                released = validator.feed(_chunk_text(chunk))
                if released:
                    yielded = True
                    yield released
        except Exception as exc:  # noqa: BLE001 - any model failure falls back
            fallback = self._failed(exc, question, passages, scored)
            if not yielded:
                yield fallback.answer
            yield fallback
            return
        rest = validator.finish()
        final = self._final(validator, question, passages)
        if rest and not final.refused:
            yield rest
        yield final

    def _final(self, validator: _Validator, question: str, passages: list[Document]) -> Answer:
        if not validator.citations or says_not_in_documents(validator.raw):
            return self._refusal(question, passages)
        citations = sorted(validator.citations.values(), key=lambda c: c.n)
        return Answer(
            question=question, answer=validator.text.strip(), refused=False, citations=citations,
            passages=[to_passage(p) for p in passages],
        )

    def _below_threshold(self, question, passages, scored) -> bool:
        if self.refusal_threshold <= 0:
            return not passages
        if scored is None:
            scored = self.fallback.score_units(question, passages)
        return not scored or scored[0][0] < self.refusal_threshold

    def _refusal(self, question: str, passages: list[Document]) -> Answer:
        return Answer(
            question=question, answer=load_prompt("refusal"), refused=True, passages=[to_passage(p) for p in passages]
        )

    def _failed(self, exc: Exception, question, passages, scored) -> Answer:
        logger.warning("LLM %s failed, giving the extractive answer instead: %s: %s",
                       _model_name(self.chat_model), type(exc).__name__, exc)
        return self._fallback(question, passages, scored)

    def _fallback(self, question, passages, scored) -> Answer:
        answer = self.fallback.answer(question, passages, scored)
        answer.answer = f"{load_prompt('llm_unavailable')}\n\n{answer.answer}"
        return answer


def condense_question(chat_model: BaseChatModel, question: str, history: Sequence[dict] | None) -> str:
    """The follow-up `question` rewritten by the model into a standalone question, given the earlier
    turns (oldest first, {"role": "user" | "assistant", "content": text}). Without history, or when
    the model fails or replies with something that is not a question, the question unchanged."""
    turns = [t for t in (history or []) if t.get("role") in ("user", "assistant") and str(t.get("content", "")).strip()]
    if not turns:
        return question
    lines = []
    for turn in turns[-HISTORY_TURNS:]:
        content = " ".join(_MARKER.sub("", str(turn["content"])).split())
        if len(content) > HISTORY_CHARS:
            content = content[:HISTORY_CHARS] + "..."
        lines.append(f"{'User' if turn['role'] == 'user' else 'Assistant'}: {content}")
    prompt = load_prompt("llm_condense_question").format(history="\n".join(lines), question=question)
    try:
        reply = _chunk_text(chat_model.invoke([HumanMessage(content=prompt)]))
    except Exception as exc:  # noqa: BLE001
        logger.warning("LLM %s failed to condense the question, using it as asked: %s: %s",
                       _model_name(chat_model), type(exc).__name__, exc)
        return question
    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    standalone = lines[0].strip().strip('"“”').removeprefix("Standalone question:").strip() if lines else ""
    if not standalone or len(standalone) > 4 * len(question) + 300:
        return question
    return standalone


def _chunk_text(message) -> str:
    """The text of a message or chunk (content may be a string or a list of content blocks)."""
    text = getattr(message, "text", None)
    if isinstance(text, str):
        return text
    content = getattr(message, "content", "")
    return content if isinstance(content, str) else ""


def _model_name(chat_model) -> str:
    return getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or type(chat_model).__name__
