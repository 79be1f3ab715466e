"""Answers written by a language model (any LangChain chat model), verified before anyone sees them.

The model gets the retrieved passages numbered [1]..[k] (as untrusted data, see
prompts/llm_answer.txt) and writes a short answer with [n] after each claim. Every sentence of
its answer is then checked with the support check (assistant/support.py), so the Answer
contract holds in LLM mode too, and an answer says only what its citations support:

- a cited sentence is kept when a unit (a sentence, or a quotation kept whole with its speaker)
  of a passage it cites supports it; each such passage is cited with its best supporting unit,
  with exact offsets, and never with the best of units that do not support the claim;
- a sentence that no cited unit supports, that cites nothing, or whose markers point to no
  passage is removed from `answer` and listed in `verification.removed` with the reason; a
  sentence that only connects ("Here is what the documents say:") is kept, uncited;
- citations are renumbered 1..m in order of first appearance and the markers rewritten to match;
- an answer that says the documents do not answer becomes the refusal (`prompts/refusal.txt`);
  one with no supported sentence left becomes the extractive answer after a notice
  (`prompts/llm_unsupported.txt`), or the refusal when the extractive answerer refuses.

Streaming releases a sentence only once it is complete (the next one has begun, or the model is
done) and verified. A model that fails (unreachable, HTTP error, timeout) never breaks the chat:
the error is logged and the extractive answer is given instead, after a short notice
(`prompts/llm_unavailable.txt`).
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from index import Span, split_sentences
from index.embedding import SentenceEmbedder
from index.terms import fold, tokens
from prompts import load_prompt

from .answering import ExtractiveAnswerer, Unit, group_units
from .models import Answer, Citation, RemovedSentence, Verification
from .retrieval import to_passage
from .support import Evidence, SupportChecker, Verdict, is_connective

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


# Markers ending a sentence after its full stop ("deal. [1] The sky", "deal.[1] The sky"): they
# belong to the sentence before.
_LEADING_MARKERS = re.compile(r"(?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+")
_MARKERS_AFTER_STOP = re.compile(r"[.!?…][\"'”’»)]*((?:\s*\[\s*\d{1,3}(?:\s*,\s*\d{1,3})*\s*\])+)(?=\s+\S)")
# Why a sentence was removed when the support check was not even asked.
NO_PASSAGE = "cites no passage"


def answer_sentences(text: str) -> list[Span]:
    """The sentences of a model's answer, each marker group belonging to the sentence it ends.

    >>> t = "Vilnius wants a deal. [1] The sky is green.[2] It is [3]."
    >>> [t[s.start:s.end] for s in answer_sentences(t)]
    ['Vilnius wants a deal. [1]', 'The sky is green.[2]', 'It is [3].']
    """
    spans: list[Span] = []
    for span in split_sentences(text):
        start = span.start
        lead = _LEADING_MARKERS.match(text, start)
        if lead and spans:
            spans[-1] = Span(spans[-1].start, lead.end())
            start = lead.end()
            while start < span.end and text[start].isspace():
                start += 1
            if start >= span.end:
                continue
        # "green.[2] It is": no boundary for split_sentences (no space after the stop).
        for match in _MARKERS_AFTER_STOP.finditer(text, start, span.end):
            nxt = match.end()
            while nxt < span.end and text[nxt].isspace():
                nxt += 1
            if nxt < span.end and (text[nxt].isupper() or text[nxt] in "\"“‘«(" or text[nxt].isdigit()):
                spans.append(Span(start, match.end()))
                start = nxt
        spans.append(Span(start, span.end))
    return spans


def _has_words(text: str) -> bool:
    """Whether text holds more than markers (or the beginning of one) and punctuation."""
    return any(ch.isalnum() for ch in _MARKER_PREFIX.sub("", _MARKER.sub("", text)))


@dataclass
class _Judged:
    """One sentence of the model's answer, checked."""

    text: str  # as released: markers renumbered, or "" when removed
    kind: str  # supported | connective | removed
    reason: str = ""


class _Verifier:
    """Checks the model's answer sentence by sentence as it arrives, and releases only the
    sentences its citations support (a connective one waits for the next supported one)."""

    def __init__(self, passages: Sequence[Document], checker: SupportChecker):
        self.passages, self.checker = list(passages), checker
        self.raw = ""  # everything the model said
        self.done = 0  # sentences of `raw` judged so far
        self.end = 0  # where the last judged sentence ends in `raw`
        self.gap = ""  # the whitespace owed before the next released sentence
        self.held = ""  # connective text waiting for a supported sentence
        self.text = ""  # released text
        self.declined = False  # the model said the documents do not answer
        self.supported = 0
        self.removed: list[RemovedSentence] = []
        self.citations: dict[tuple[str, int, int], Citation] = {}  # (source, start, end) -> citation
        self._units: dict[int, list[tuple[Unit, Evidence]]] = {}

    def feed(self, delta: str) -> str:
        """Take a piece of the model's text; return the verified text it releases ("" if none)."""
        self.raw += delta
        return self._advance(final=False)

    def finish(self) -> str:
        """The model is done: judge what is left and release what holds."""
        return self._advance(final=True)

    def _advance(self, final: bool) -> str:
        spans = answer_sentences(self.raw)
        if not final:
            while spans and not _has_words(self.raw[spans[-1].start : spans[-1].end]):
                spans.pop()  # a marker (or the beginning of one) the sentence before may still own
            spans = spans[:-1]  # the sentence being written
        released = ""
        for span in spans[self.done :]:
            self.done += 1
            gap, self.end = self.raw[self.end : span.start], span.end
            self.gap = _strongest_gap(self.gap, gap)
            sentence = self.raw[span.start : span.end]
            if self.done == 1 and says_not_in_documents(sentence):
                self.declined = True
            if self.declined:
                continue
            judged = self._judge(sentence)
            if judged.kind == "empty":
                continue
            if judged.kind == "removed":
                self.removed.append(RemovedSentence(text=" ".join(sentence.split()), reason=judged.reason))
                continue
            piece = (self.gap if (self.text or released or self.held) else "") + judged.text
            self.gap = ""
            if judged.kind == "connective":
                self.held += piece
                continue
            self.supported += 1
            released += self.held + piece
            self.held = ""
        self.text += released
        return released

    def _judge(self, sentence: str) -> _Judged:
        groups = list(_MARKER.finditer(sentence))
        claim = " ".join(_MARKER.sub(" ", sentence).split())
        claim = re.sub(r"\s+([.,;:!?])", r"\1", claim)
        cited = list(dict.fromkeys(int(n) for g in groups for n in re.findall(r"\d+", g.group(1))))
        valid = [n for n in cited if 1 <= n <= len(self.passages)]
        if not _has_words(claim):
            return _Judged("", "empty")
        if is_connective(claim):
            return _Judged(claim, "connective")
        if not groups:
            return _Judged("", "removed", self.checker.check(claim, []).reason)
        if not valid:
            return _Judged("", "removed", NO_PASSAGE)
        verdicts = {n: self._support(n - 1, claim) for n in valid}
        if any(v.kind == "connective" for _, v in verdicts.values()):
            return _Judged(claim, "connective")
        supporting = {n: unit for n, (unit, verdict) in verdicts.items() if verdict.supported}
        if not supporting and len(valid) > 1:
            supporting = self._support_together(valid, claim)
        if not supporting:
            best = max((v for _, v in verdicts.values()), key=lambda v: v.score)
            return _Judged("", "removed", best.reason or "not in the cited passage")
        numbers = {n: self._cite(n - 1, unit, verdicts[n][1].score) for n, unit in supporting.items()}

        def rewrite(match: re.Match) -> str:
            kept = list(dict.fromkeys(numbers[int(n)] for n in re.findall(r"\d+", match.group(1)) if int(n) in numbers))
            return "".join(f"[{m}]" for m in kept)

        text = _MARKER.sub(rewrite, sentence)
        text = re.sub(r"[ \t]+(?=[.,;:!?]|$)", "", re.sub(r"[ \t]{2,}", " ", text)).strip()
        return _Judged(text, "supported")

    def _support(self, index: int, claim: str) -> tuple[Unit | None, Verdict]:
        """The unit of passage `index` that supports the claim with the best score (None when none
        does), and the verdict: the supporting one, or the best-scoring refusal for its reason."""
        best_unit, best, refusal, nearest = None, None, None, (-1.0, -1)
        claim_words = {fold(w.text) for w in tokens(claim)}
        for unit, evidence in self._passage_units(index):
            verdict = self.checker.check(claim, [evidence])
            if verdict.supported:
                if best is None or verdict.score > best.score:
                    best_unit, best = unit, verdict
                continue
            # The reason comes from the unit nearest the claim: best score, then most words shared.
            near = (verdict.score, len(claim_words & {fold(w.text) for w in tokens(unit.text)}))
            if near > nearest:
                refusal, nearest = verdict, near
        if best is not None:
            return best_unit, best
        if refusal is None:  # (a Verdict is falsy when it does not support)
            refusal = Verdict(False, 0.0, "not in the cited passage", "content")
        return None, refusal

    def _support_together(self, numbers: list[int], claim: str) -> dict[int, Unit]:
        """A claim joining what several passages say ("X [1], and Y [2]"): the best unit of each,
        checked together."""
        chosen: dict[int, tuple[Unit, Evidence]] = {}
        for n in numbers:
            scored = [(self.checker.check(claim, [e]).score, u, e) for u, e in self._passage_units(n - 1)]
            if scored:
                _, unit, evidence = max(scored, key=lambda s: s[0])
                chosen[n] = (unit, evidence)
        if len(chosen) > 1 and self.checker.check(claim, [e for _, e in chosen.values()]).supported:
            return {n: u for n, (u, _) in chosen.items()}
        return {}

    def _cite(self, index: int, unit: Unit, score: float) -> int:
        passage = self.passages[index]
        m = passage.metadata
        key = (m["source"], unit.start, unit.end)  # overlapping passages share sentences
        if key not in self.citations:
            self.citations[key] = Citation(
                n=len(self.citations) + 1, source=m["source"], title=m["title"], chunk_id=m["chunk_id"],
                start=unit.start, end=unit.end, quote=unit.text, score=round(float(score), 4),
            )
        return self.citations[key].n

    def _passage_units(self, index: int) -> list[tuple[Unit, Evidence]]:
        if index not in self._units:
            passage = self.passages[index]
            context = passage_context(passage)
            self._units[index] = [
                (u, Evidence(u.text, context))
                for u in group_units(passage) if u.end > u.start and not _INSTRUCTION.search(u.text)
            ]
        return self._units[index]

    def verification(self, extra_supported: int = 0) -> Verification:
        """The share of the answer's sentences supported: kept supported ones (plus
        `extra_supported` sentences of an extractive answer given instead) over those and the removed."""
        supported = self.supported + extra_supported
        total = supported + len(self.removed)
        return Verification(supported_share=round(supported / total, 4) if total else 1.0, removed=self.removed)


def passage_context(passage: Document) -> str:
    """What of a passage's document may complete its sentences: the title, and the dateline when
    known (the metadata's, or the passage's own first line when it opens the document)."""
    m = passage.metadata
    parts = [m.get("title") or ""]
    if m.get("dateline"):
        parts.append(m["dateline"])
    elif m.get("start") == 0:
        parts.append(passage.page_content.split("\n", 1)[0][:300])
    return "\n".join(p for p in parts if p)


def _strongest_gap(a: str, b: str) -> str:
    """The separator to keep between two released sentences: a blank line, a line break, or a space."""
    lines = max(a.count("\n"), b.count("\n"))
    return "\n\n" if lines >= 2 else "\n" if lines == 1 else " " if (a or b) else ""


class LLMAnswerer:
    """Answers with a chat model from the retrieved passages, verifies them, falls back when it fails.

    `refusal_threshold` gates on the extractive evidence (the best sentence score of
    `ExtractiveAnswerer.score_units`): below it the assistant refuses without calling the model,
    exactly as the extractive answerer would. Pass 0.0 to let the model decide every time.
    `checker` judges each sentence (default: the fallback answerer's, else a new one).
    """

    def __init__(
        self,
        chat_model: BaseChatModel,
        embedder: SentenceEmbedder,
        fallback: ExtractiveAnswerer,
        refusal_threshold: float = 0.0,
        checker: SupportChecker | None = None,
    ):
        self.chat_model = chat_model
        self.embedder = embedder
        self.fallback = fallback
        self.refusal_threshold = refusal_threshold
        self.checker = checker or getattr(fallback, "checker", None) or SupportChecker(embedder)

    def messages(self, question: str, passages: Sequence[Document]) -> list:
        prompt = load_prompt("llm_answer").format(question=question, passages=format_passages(passages))
        return [HumanMessage(content=prompt)]

    def answer(
        self, question: str, passages: list[Document], scored: list[tuple[float, Unit]] | None = None
    ) -> Answer:
        """The verified LLM answer, a refusal, or the extractive answer with a notice (when the
        model fails, or none of its sentences is supported)."""
        if self._below_threshold(question, passages, scored):
            return self._refusal(question, passages)
        verifier = _Verifier(passages, self.checker)
        try:
            reply = self.chat_model.invoke(self.messages(question, passages))
        except Exception as exc:  # noqa: BLE001 - any model failure falls back
            return self._failed(exc, question, passages, scored)
        verifier.feed(_chunk_text(reply))
        verifier.finish()
        return self._final(verifier, question, passages, scored)

    def stream(
        self, question: str, passages: list[Document], scored: list[tuple[float, Unit]] | None = None
    ) -> Iterator[str | Answer]:
        """Verified text deltas as the model writes, then the final Answer (always the last item).

        A sentence is released once complete and supported by what it cites; the deltas are
        always the beginning of the final answer's text, or nothing when the final Answer is a
        refusal or an extractive answer given instead (then its text is one delta). The final
        Answer is authoritative: when the model fails mid-stream it replaces what was streamed.
        """
        if self._below_threshold(question, passages, scored):
            yield self._refusal(question, passages)
            return
        verifier = _Verifier(passages, self.checker)
        yielded = False
        try:
            for chunk in self.chat_model.stream(self.messages(question, passages)):
                released = verifier.feed(_chunk_text(chunk))
                if released:
                    yielded = True
                    yield released
        except Exception as exc:  # noqa: BLE001 - any model failure falls back
            fallback = self._failed(exc, question, passages, scored)
            if not yielded:
                yield fallback.answer
            yield fallback
            return
        rest = verifier.finish()
        final = self._final(verifier, question, passages, scored)
        if final.refused:
            pass
        elif verifier.supported:
            if rest:
                yield rest
        else:
            yield final.answer  # the extractive answer given instead: nothing of the model's was out
        yield final

    def _final(self, verifier: _Verifier, question: str, passages: list[Document], scored) -> Answer:
        if verifier.declined:
            return self._refusal(question, passages)
        if not verifier.supported:
            return self._unsupported(verifier, question, passages, scored)
        citations = sorted(verifier.citations.values(), key=lambda c: c.n)
        return Answer(
            question=question, answer=verifier.text.strip(), refused=False, citations=citations,
            passages=[to_passage(p) for p in passages], verification=verifier.verification(),
        )

    def _unsupported(self, verifier: _Verifier, question: str, passages: list[Document], scored) -> Answer:
        """None of the model's sentences holds: the extractive answer after a notice, or the refusal."""
        if verifier.removed:
            logger.info("LLM %s: none of its %d sentences is supported by what it cites; answering extractively",
                        _model_name(self.chat_model), len(verifier.removed))
        answer = self.fallback.answer(question, passages, scored)
        if not answer.refused:
            answer.answer = f"{load_prompt('llm_unsupported')}\n\n{answer.answer}"
        given = 0 if answer.refused else max(1, len(_MARKER.findall(answer.answer)))
        answer.verification = verifier.verification(extra_supported=given)
        return answer

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
