"""The extractive answerer: answers with the retrieved sentences that best answer the question.

It needs no language model. The passages' sentence units (`assistant/units.py`), scored by
`assistant/scoring.py`, become the answer when they meet the question's constraints (its numbers,
names and content words, checked by `assistant/support.py`), each followed by its [n] marker.
When even the best unit scores below the refusal threshold it refuses instead of guessing; when
the best units nearly answer but one constraint differs, it says what the documents say instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from langchain_core.documents import Document

from index import STOPWORDS
from index.embedding import SentenceEmbedder
from prompts import load_prompt

from .models import Answer, Citation
from .retrieval import to_passage
from .scoring import EvidenceScorer, expected_answer_type, refuses
from .support import Evidence, SupportChecker
from .turn import ScoredUnit, Turn, text_deltas
from .units import Lookup, Unit, unit_context, unit_neighbours

# Units scoring this close to the best one join the answer (a short answer, not every loose match).
ANSWER_MARGIN = 0.1
# Units (best first, above the threshold) checked against the question's constraints.
CONSTRAINT_DEPTH = 8
# Only a unit that meets the constraints answers, so one this far below the threshold still may.
CONSTRAINED_MARGIN = 0.1
NearMiss = tuple[Unit, list[tuple[str, str | None]]]


class ExtractiveAnswerer:
    """Answer = the best-scoring units of the retrieved passages, each cited; or a refusal."""

    def __init__(
        self, embedder: SentenceEmbedder, *, refusal_threshold: float, max_units: int, max_words: int,
        document_lead: Callable[[str], str] | None = None, word_vectors: Lookup | None = None,
    ):
        self.embedder = embedder
        self.refusal_threshold = refusal_threshold
        self.max_units = max_units
        self.max_words = max_words
        self.checker = SupportChecker(embedder, word_vectors=word_vectors)
        self.scorer = EvidenceScorer(embedder, self.checker)
        # A document's lead by path (the store's first chunk), where a question's year may be set.
        self.document_lead = document_lead

    def stream(self, turn: Turn) -> Iterator[str | Answer]:
        answer = self.answer(turn)
        yield from text_deltas(answer.answer)
        yield answer

    def answer(self, turn: Turn) -> Answer:
        """Answer the turn's question from its passages and their scored units."""
        return self.answer_from(turn.answering, turn.passages, turn.units)

    def answer_from(self, question: str, passages: list[Document], scored: list[ScoredUnit]) -> Answer:
        if refuses(scored[0][0] if scored else None, self.refusal_threshold - CONSTRAINED_MARGIN):
            return Answer(
                question=question, answer=load_prompt("refusal"), refused=True,
                passages=[to_passage(p) for p in passages],
            )
        candidates, near_miss = self.answering_units(question, scored)
        if not candidates:
            return self.near_miss(question, passages, near_miss)
        chosen: list[ScoredUnit] = []
        words = 0
        for score, unit in candidates:
            unit_words = len(unit.text.split())
            if chosen and (
                len(chosen) >= self.max_units
                or score < candidates[0][0] - ANSWER_MARGIN
                or words + unit_words > self.max_words
            ):
                continue
            chosen.append((score, unit))
            words += unit_words
        # Read in document order within a passage, passages in retrieval order.
        order = {id(p): i for i, p in enumerate(passages)}
        chosen.sort(key=lambda su: (order[id(su[1].passage)], su[1].start))
        sentences, citations = [], []
        for n, (score, unit) in enumerate(chosen, start=1):
            m = unit.passage.metadata
            citations.append(
                Citation(
                    n=n, source=m["source"], title=m["title"], chunk_id=m["chunk_id"], start=unit.start,
                    end=unit.end, quote=unit.text, score=round(float(score), 4),
                )
            )
            sentences.append(f"{' '.join(unit.text.split())} [{n}]")
        return Answer(
            question=question, answer=" ".join(sentences), refused=False, citations=citations,
            passages=[to_passage(p) for p in passages],
        )


    def answering_units(
        self, question: str, scored: list[ScoredUnit]
    ) -> tuple[list[ScoredUnit], NearMiss | None]:
        """The units above the threshold that answer the question: they meet its constraints (its
        numbers, names and content words, read with the unit's title and neighbouring sentences),
        and contain the kind of text it asks for (a place for "where") when any of them does.
        Also the best unit that nearly answers, with what differs, when none does."""
        expected = expected_answer_type(question)
        meeting, near_miss = [], None
        for score, unit in scored[:CONSTRAINT_DEPTH]:
            # Only a unit that meets the question's constraints answers, so one a little below the
            # threshold may: the constraints do what the threshold alone did less precisely.
            if score < self.refusal_threshold - CONSTRAINED_MARGIN:
                break
            # A year or number may be set once for a whole passage, or in the document's lead.
            lead = self.document_lead(unit.passage.metadata["path"]) if self.document_lead else ""
            evidence = [Evidence(unit.text, unit_context(unit), f"{unit.passage.page_content}\n{lead}",
                                 unit_neighbours(unit))]
            if self.checker.meets(question, evidence):
                meeting.append((score, unit))
            elif near_miss is None:
                differences = self.checker.differences(question, evidence)
                if near_miss_phrase(question, unit.text, differences) is not None:
                    near_miss = (unit, differences)
        if expected is not None and any(expected.answered_by.search(u.text) for _, u in meeting):
            # "Where was he speaking?" is answered by the sentence that names a place, when one does.
            # Preferred, not required: requiring a place cost squad 1.9 points of gold containment and
            # raised false refusals from 0.056 to 0.075, refusing no more unanswerable questions.
            meeting = [(s, u) for s, u in meeting if expected.answered_by.search(u.text)]
        return meeting, near_miss

    def near_miss(
        self, question: str, passages: list[Document], near: NearMiss | None
    ) -> Answer:
        """A refusal that says what the documents do not say and what they say instead, citing it:
        "The documents do not say who won the 2022 Nobel Prize in Physics. They mention the 2021
        Nobel Prize in Literature [1]." """
        refusal = Answer(question=question, answer=load_prompt("refusal"), refused=True,
                         passages=[to_passage(p) for p in passages])
        if near is None:
            return refusal
        unit, differences = near
        found = near_miss_phrase(question, unit.text, differences)
        if found is None:
            return refusal
        m = unit.passage.metadata
        citation = Citation(n=1, source=m["source"], title=m["title"], chunk_id=m["chunk_id"], start=unit.start,
                            end=unit.end, quote=unit.text, score=0.0)
        refusal.answer = load_prompt("near_miss").format(question=embedded_question(question), found=found)
        refusal.citations = [citation]
        return refusal


_WH = re.compile(r"^(who|whom|whose|what|which|when|where|why|how)\b", re.IGNORECASE)


def embedded_question(question: str) -> str:
    """The question as a clause of "The documents do not say ...".

    >>> embedded_question("Who won the 2022 Nobel Prize in Physics?")
    'who won the 2022 Nobel Prize in Physics'
    >>> embedded_question("Did Budrys sign the deal?")
    'whether “Did Budrys sign the deal?” is so'
    """
    text = question.strip().rstrip("?").strip()
    if _WH.match(text):
        return text[0].lower() + text[1:]
    return f"whether “{question.strip()}” is so"


def near_miss_phrase(question: str, unit_text: str, differences: list[tuple[str, str | None]]) -> str | None:
    """The question's subject with what differs replaced by what the unit says, when every word of
    it is then in the unit: ("Who won the 2022 Nobel Prize in Physics?", "... won the 2021 Nobel
    Prize in Literature", [("2022", "2021"), ("Physics", "Literature")]) -> "the 2021 Nobel Prize in
    Literature". None when the unit does not say it that way.

    >>> near_miss_phrase("Who won the 2022 Nobel Prize in Physics?",
    ...                  "Abdulrazak Gurnah won the 2021 Nobel Prize in Literature.",
    ...                  [("2022", "2021"), ("Physics", "Literature")])
    'the 2021 Nobel Prize in Literature'
    """
    if not differences or any(found is None for _, found in differences):
        return None
    replaced = dict(differences)
    words = re.findall(r"[\w’'-]+|[^\w\s]", question.rstrip("?"))
    # The phrase is the question's subject: from its first number or name ("the 2022 Nobel Prize
    # in Physics"), with what differs replaced.
    first = next((i for i, w in enumerate(words) if i and (w[:1].isupper() or w[:1].isdigit())), None)
    if first is None:
        first = next((i for i, w in enumerate(words) if w in replaced), None)
    if first is None:
        return None
    while first > 0 and words[first - 1].lower() in ("the", "a", "an"):
        first -= 1
    phrase = [replaced.get(w, w) if j >= first else w for j, w in enumerate(words) if j >= first]
    unit_words = {w.lower() for w in re.findall(r"[\w’'-]+", unit_text)}
    if not all(w.lower() in unit_words or w.lower() in STOPWORDS for w in phrase if re.match(r"\w", w)):
        return None
    return " ".join(phrase).replace(" ,", ",")
