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

import logging
import os
from collections.abc import Iterator, Sequence

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from prompts import load_prompt

from .answering import ExtractiveAnswerer
from .llm_verifier import MARKER, SentenceVerifier
from .models import Answer
from .retrieval import to_passage
from .support import SupportChecker
from .turn import Turn

logger = logging.getLogger(__name__)

# How many earlier turns, and how much of each, go into the condense prompt.
HISTORY_TURNS, HISTORY_CHARS = 6, 600


def make_chat_model(spec: str, *, base_url: str = "", api_key: str = "", timeout: float = 30.0) -> BaseChatModel:
    """A LangChain chat model from "provider:model" ("openai:gpt-4o-mini", "ollama:llama3.2", or any
    provider LangChain's `init_chat_model` knows, with its package installed).

    "openai:<model>" with `base_url` reaches any OpenAI-compatible server (vLLM, llama.cpp server,
    LM Studio). Provider packages are imported only when asked for, so they stay optional.

    >>> make_chat_model("gpt-4o-mini")
    Traceback (most recent call last):
    ...
    ValueError: LLM 'gpt-4o-mini' is not of the form provider:model (e.g. openai:gpt-4o-mini or ollama:llama3.2)
    """
    from langchain.chat_models import init_chat_model

    provider, sep, model = spec.strip().partition(":")
    provider, model = provider.strip().lower(), model.strip()
    if not sep or not provider or not model:
        raise ValueError(f"LLM {spec!r} is not of the form provider:model (e.g. openai:gpt-4o-mini or ollama:llama3.2)")
    options: dict = {"base_url": base_url or None}
    if provider == "openai":
        # Local servers ignore the key but the client insists on one; OpenAI itself needs a real one.
        options |= {"api_key": api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
                    "timeout": timeout, "max_retries": 0}
    elif provider == "ollama":  # its HTTP timeout goes through client_kwargs (httpx); no base_url = localhost:11434
        options |= {"client_kwargs": {"timeout": timeout}}
    else:
        options |= {"timeout": timeout, **({"api_key": api_key} if api_key else {})}
    try:
        return init_chat_model(model, model_provider=provider, **options)
    except ValueError as exc:  # LangChain's message lists the providers it knows
        raise ValueError(f"LLM {spec!r}: {' '.join(str(exc).split())} (write provider:model)") from exc


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


class LLMAnswerer:
    """Answers with a chat model from the retrieved passages, verifies them, falls back when it fails.

    `refusal_threshold` gates on the extractive evidence (the best sentence score of the turn's
    units): below it the assistant refuses without calling the model, exactly as the extractive
    answerer would. Pass 0.0 to let the model decide every time.
    `checker` judges each sentence (default: the fallback answerer's).
    """

    def __init__(
        self, chat_model: BaseChatModel, fallback: ExtractiveAnswerer, *, refusal_threshold: float,
        checker: SupportChecker | None = None,
    ):
        self.chat_model = chat_model
        self.fallback = fallback
        self.refusal_threshold = refusal_threshold
        self.checker = checker or fallback.checker

    def standalone(self, question: str, history: Sequence[dict]) -> str:
        """The follow-up question rewritten by the model as a standalone one (see `condense_question`)."""
        return condense_question(self.chat_model, question, history)

    def messages(self, question: str, passages: Sequence[Document]) -> list:
        prompt = load_prompt("llm_answer").format(question=question, passages=format_passages(passages))
        return [HumanMessage(content=prompt)]

    def answer(self, turn: Turn) -> Answer:
        """The verified LLM answer, a refusal, or the extractive answer with a notice (when the
        model fails, or none of its sentences is supported)."""
        if self._below_threshold(turn):
            return self._refusal(turn)
        verifier = SentenceVerifier(turn.passages, self.checker)
        try:
            reply = self.chat_model.invoke(self.messages(turn.answering, turn.passages))
        except Exception as exc:
            return self._failed(exc, turn)
        verifier.feed(_chunk_text(reply))
        verifier.finish()
        return self._final(verifier, turn)

    def stream(self, turn: Turn) -> Iterator[str | Answer]:
        """Verified text deltas as the model writes, then the final Answer (always the last item).

        A sentence is released once complete and supported by what it cites; the deltas are
        always the beginning of the final answer's text, or nothing when the final Answer is a
        refusal or an extractive answer given instead (then its text is one delta). The final
        Answer is authoritative: when the model fails mid-stream it replaces what was streamed.
        """
        if self._below_threshold(turn):
            yield self._refusal(turn)
            return
        verifier = SentenceVerifier(turn.passages, self.checker)
        yielded = False
        try:
            for chunk in self.chat_model.stream(self.messages(turn.answering, turn.passages)):
                released = verifier.feed(_chunk_text(chunk))
                if released:
                    yielded = True
                    yield released
        except Exception as exc:
            fallback = self._failed(exc, turn)
            if not yielded:
                yield fallback.answer
            yield fallback
            return
        rest = verifier.finish()
        final = self._final(verifier, turn)
        if final.refused:
            pass
        elif verifier.supported:
            if rest:
                yield rest
        else:
            yield final.answer  # the extractive answer given instead: nothing of the model's was out
        yield final

    def _final(self, verifier: SentenceVerifier, turn: Turn) -> Answer:
        if verifier.declined:
            return self._refusal(turn)
        if not verifier.supported:
            return self._unsupported(verifier, turn)
        citations = sorted(verifier.citations.values(), key=lambda c: c.n)
        return Answer(
            question=turn.answering, answer=verifier.text.strip(), refused=False, citations=citations,
            passages=[to_passage(p) for p in turn.passages], verification=verifier.verification(),
        )

    def _unsupported(self, verifier: SentenceVerifier, turn: Turn) -> Answer:
        """None of the model's sentences holds: the extractive answer after a notice, or the refusal."""
        if verifier.removed:
            logger.info("LLM %s: none of its %d sentences is supported by what it cites; answering extractively",
                        _model_name(self.chat_model), len(verifier.removed))
        answer = self.fallback.answer(turn)
        if not answer.refused:
            answer.answer = f"{load_prompt('llm_unsupported')}\n\n{answer.answer}"
        given = 0 if answer.refused else max(1, len(MARKER.findall(answer.answer)))
        answer.verification = verifier.verification(extra_supported=given)
        return answer

    def _below_threshold(self, turn: Turn) -> bool:
        if self.refusal_threshold <= 0:
            return not turn.passages
        return not turn.units or turn.units[0][0] < self.refusal_threshold

    def _refusal(self, turn: Turn) -> Answer:
        return Answer(question=turn.answering, answer=load_prompt("refusal"), refused=True,
                      passages=[to_passage(p) for p in turn.passages])

    def _failed(self, exc: Exception, turn: Turn) -> Answer:
        logger.warning("LLM %s failed, giving the extractive answer instead: %s: %s",
                       _model_name(self.chat_model), type(exc).__name__, exc)
        answer = self.fallback.answer(turn)
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
        content = " ".join(MARKER.sub("", str(turn["content"])).split())
        if len(content) > HISTORY_CHARS:
            content = content[:HISTORY_CHARS] + "..."
        lines.append(f"{'User' if turn['role'] == 'user' else 'Assistant'}: {content}")
    prompt = load_prompt("llm_condense_question").format(history="\n".join(lines), question=question)
    try:
        reply = _chunk_text(chat_model.invoke([HumanMessage(content=prompt)]))
    except Exception as exc:
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
