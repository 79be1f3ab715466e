"""The extractive answerer: answers with the retrieved sentences that best answer the question.

It needs no language model. Sentences of the retrieved passages are grouped into "units" (a
quotation is kept together with its attribution, even when it runs over several sentences),
scored by embedding similarity to the question plus lexical evidence (which of the question's
words the unit contains), and the best units become the answer, each followed by its [n] marker.
When even the best unit scores below the refusal threshold, it refuses instead of guessing.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.documents import Document

from index import lexical_terms, split_sentences
from index.terms import same_word, stem
from index.store import STOPWORDS
from index.embedding import SentenceEmbedder
from prompts import load_prompt

from .models import Answer, Citation
from .support import Evidence, SupportChecker
from .retrieval import reciprocal_rank_fusion, to_passage

# Verbs that attribute speech; a quotation continues its attribution's unit (see `group_units`).
_ATTRIBUTION = re.compile(
    r"\b(said|says|say|stated|states|told|tells|added|adds|noted|notes|explained|according to|asked|wrote|"
    r"argued|insisted|warned|declared|emphasi[sz]ed|remarked|replied|continued|announced|claimed)\b",
    re.IGNORECASE,
)
# Only forms that are words of speech: "state", "note" or "add" are as often nouns or other verbs.
_SPEECH_VERB = re.compile(
    r"(say|says|said|saying|speak|speaks|spoke|spoken|speaking|stated|stating|statements?|tell|tells|told|telling|"
    r"remarked|remarks|explained|"
    r"declared|commented|replied|insisted|argued|emphasi[sz]ed|stressed|warned|announced)"
)
# A sentence opening like this leans on the one before ("This statement, made in Munich, ...").
_ANAPHORIC_START = re.compile(r"(This|That|These|Those|It|He|She|They|His|Her|Their|Its)\b")
_OPEN_QUOTES, _CLOSE_QUOTES = "“«„", "”»"
_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "spoke": "speak", "spoken": "speak", "wrote": "write",
    "written": "write", "won": "win", "began": "begin", "begun": "begin", "built": "build", "bought": "buy",
    "sold": "sell", "led": "lead", "held": "hold", "made": "make", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "became": "become", "left": "leave", "met": "meet", "ran": "run",
    "found": "find", "thought": "think", "brought": "bring", "chose": "choose", "chosen": "choose",
}
# Weights of the kinds of evidence; the refusal threshold is calibrated on this mix.
SEMANTIC_WEIGHT, LEXICAL_WEIGHT, ANSWER_TYPE_BONUS = 0.6, 0.4, 0.1
# Units scoring this close to the best one join the answer (a short answer, not every loose match).
ANSWER_MARGIN = 0.1
# Units (best first, above the threshold) checked against the question's constraints.
CONSTRAINT_DEPTH = 8
CONSTRAINED_MARGIN = 0.1
UNIT_CACHE_SIZE = 20_000  # sentence vectors kept between questions: 384 floats each, about 30 MB

# What kind of text answers a question, by its wording (classic answer-type matching).
# The wh-word decides first: "Where did he say it?" asks for a place, not a quotation.
_ANSWER_TYPES = [
    (re.compile(r"\bhow (many|much|long|far|old|large|big|tall|high)\b|\bwhat (number|percentage|amount)\b", re.I),
     re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b",
                re.I)),
    (re.compile(r"\bwhere\b|\bin which (city|country|place|town|state)\b", re.I),
     # A place after a preposition: a run of capitalised words ("on the sidelines of the Munich
     # Security Conference"), or one word closing the clause ("in Vilnius.").
     re.compile(r"\b(?:in|at|on|near|during|outside|inside)\b[^.;:!?“”\"]{0,40}?\b[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)+"
                r"|\b(?:in|at|near) (?:the )?[A-Z][\w’'-]+(?=[,.;)]|$)")),
    (re.compile(r"\bwhen\b|\bwhat (year|date|month|day|century|decade)\b|\bin which year\b", re.I),
     re.compile(r"\b(1\d{3}|20\d{2})\b|\b(January|February|March|April|May|June|July|August|September|October|"
                r"November|December|century|decade)\b|\d{1,2}(st|nd|rd|th)\b", re.I)),
    (re.compile(r"\b(say|says|said|state[sd]?|tell|told|quotes?|comment(ed)?|speak|spoke)\b", re.I),
     re.compile(r"[“”\"«»]")),
]


def refuses(best_score: float | None, threshold: float) -> bool:
    """The refusal rule: no unit at all, or the best one below the threshold.

    >>> refuses(0.44, 0.45), refuses(0.45, 0.45), refuses(None, 0.2)
    (True, False, True)
    """
    return best_score is None or best_score < threshold


def expected_answer_type(question: str) -> re.Pattern | None:
    """A pattern the answering text should contain, judging by the question, or None.

    >>> bool(expected_answer_type("What did Budrys say?").search("“Yes,” he said."))
    True
    >>> expected_answer_type("Who is the prime minister?") is None
    True
    """
    for asks, answered_by in _ANSWER_TYPES:
        if asks.search(question):
            return answered_by
    return None


def normalise_term(word: str) -> str:
    """A crude stem, enough to match "say"/"said", "minerals"/"mineral", "agreed"/"agree"; every
    verb of speech counts as "say", so "What did X say?" matches "X stated".

    >>> [normalise_term(w) for w in ["said", "minerals", "countries", "agreed", "running", "stated"]]
    ['say', 'mineral', 'country', 'agre', 'runn', 'say']
    """
    word = word.lower().removesuffix("'s").removesuffix("’s")
    if _SPEECH_VERB.fullmatch(word):
        return "say"
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


@dataclass
class Unit:
    """One or more consecutive sentences of a passage that are answered with together."""

    passage: Document
    start: int  # offsets in the document
    end: int
    context_start: int | None = None  # where the sentence its opening words point back to starts

    @property
    def context(self) -> str:
        """The text before the unit that it refers to ("This statement, made ..."), or ""."""
        if self.context_start is None:
            return ""
        offset = self.passage.metadata["start"]
        return self.passage.page_content[self.context_start - offset : self.start - offset]

    @property
    def text(self) -> str:
        offset = self.passage.metadata["start"]
        return self.passage.page_content[self.start - offset : self.end - offset]


class VectorCache:
    """The vectors of the last `size` texts embedded, most recently used kept: the sentences of
    a popular passage are embedded once, not for every question that retrieves it."""

    def __init__(self, size: int):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, texts: list[str], encode) -> np.ndarray:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            # Copies: a row of the batch is a view, which would keep the whole batch's array alive
            # for as long as any one of its rows stays cached, past the size the cache is bounded by.
            fresh = {text: vector.copy() for text, vector in zip(missing, encode(missing))}
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return np.stack([known[t] for t in texts])


class ExtractiveAnswerer:
    """Answer = the best-scoring units of the retrieved passages, each cited; or a refusal."""

    def __init__(
        self,
        embedder: SentenceEmbedder,
        refusal_threshold: float = 0.49,
        max_units: int = 3,
        max_words: int = 120,
        document_lead=None,
    ):
        self.embedder = embedder
        self.refusal_threshold = refusal_threshold
        self.max_units = max_units
        self.max_words = max_words
        self._unit_vectors = VectorCache(UNIT_CACHE_SIZE)
        self.checker = SupportChecker(embedder)
        # A document's lead by path (the store's first chunk), where a question's year may be set.
        self.document_lead = document_lead

    def score_units(
        self, question: str, passages: list[Document], timings: dict[str, float] | None = None
    ) -> list[tuple[float, Unit]]:
        """Every unit of the passages with its score, best first; the time spent embedding the
        units goes to `timings["embed_units"]` (ms) when a dict is given."""
        # A question in the text ("What are your thoughts?") does not answer one.
        units = [u for u in _dedupe([u for p in passages for u in group_units(p)]) if not u.text.endswith("?")]
        if not units:
            return []
        texts = [" ".join(u.text.split()) for u in units]
        t0 = time.perf_counter()
        vectors = self._unit_vectors.get_or_compute(texts, self.embedder.encode)
        if timings is not None:
            timings["embed_units"] = timings.get("embed_units", 0.0) + (time.perf_counter() - t0) * 1000
        semantic = vectors @ self.embedder.query_vector(question)
        lexical = lexical_scores(question, units, similar=self.checker.has_similar_name)
        expected = expected_answer_type(question)
        typed = np.array([ANSWER_TYPE_BONUS if expected and expected.search(u.text) else 0.0 for u in units])
        scores = SEMANTIC_WEIGHT * np.clip(semantic, 0, 1) + LEXICAL_WEIGHT * lexical + typed
        ranked = sorted(zip(scores.tolist(), range(len(units))), key=lambda t: (-t[0], t[1]))
        return [(score, units[i]) for score, i in ranked]

    def rerank(
        self, question: str, candidates: list[Document], k: int, timings: dict[str, float] | None = None
    ) -> tuple[list[Document], list[tuple[float, Unit]]]:
        """The `k` best candidates and their scored units, best first.

        Candidates are ordered by reciprocal rank fusion of two rankings: by their best sentence's
        evidence score (semantic, lexical, answer type: what the answer will be built from), and
        by BM25 (exact terms such as years and names, which sentence embeddings blur). Fused
        scores replace the passages' `score`; the retrieval score stays as `retrieval_score`.
        """
        scored = self.score_units(question, candidates, timings)
        best: dict[int, float] = {}
        for score, unit in scored:
            best.setdefault(id(unit.passage), score)
        by_evidence = sorted(candidates, key=lambda p: -best.get(id(p), 0.0))
        by_terms = sorted(
            (p for p in candidates if p.metadata.get("lexical_score") is not None),
            key=lambda p: -p.metadata["lexical_score"],
        )
        # BM25 first: on a tie (one list's 1st is the other's 2nd) exact-term evidence decides.
        fused = reciprocal_rank_fusion([[id(p) for p in by_terms], [id(p) for p in by_evidence]])
        lookup = {id(p): p for p in candidates}
        kept: dict[int, Document] = {}  # candidate's id -> its reranked copy
        for rank, (key, score) in enumerate(fused[:k], start=1):
            passage = lookup[key]
            metadata = {**passage.metadata, "retrieval_score": passage.metadata["score"], "score": score, "rank": rank}
            kept[key] = passage.model_copy(update={"metadata": metadata})
        units = [(score, replace(u, passage=kept[id(u.passage)])) for score, u in scored if id(u.passage) in kept]
        return list(kept.values()), units

    def answer(
        self, question: str, passages: list[Document], scored: list[tuple[float, Unit]] | None = None
    ) -> Answer:
        """Answer from the passages; `scored` may carry their units already scored (by `rerank`)."""
        if scored is None:
            scored = self.score_units(question, passages)
        if refuses(scored[0][0] if scored else None, self.refusal_threshold - CONSTRAINED_MARGIN):
            return Answer(
                question=question, answer=load_prompt("refusal"), refused=True,
                passages=[to_passage(p) for p in passages],
            )
        candidates, near_miss = self.answering_units(question, scored)
        if not candidates:
            return self.near_miss(question, passages, near_miss)
        chosen, words = [], 0
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
        self, question: str, scored: list[tuple[float, Unit]]
    ) -> tuple[list[tuple[float, Unit]], tuple[Unit, list[tuple[str, str | None]]] | None]:
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
            evidence = [Evidence(unit.text, unit_context(unit), f"{unit.passage.page_content}\n{lead}")]
            if self.checker.meets(question, evidence):
                meeting.append((score, unit))
            elif near_miss is None:
                differences = self.checker.differences(question, evidence)
                if near_miss_phrase(question, unit.text, differences) is not None:
                    near_miss = (unit, differences)
        if expected is not None and any(expected.search(u.text) for _, u in meeting):
            # "Where was he speaking?" is answered by the sentence that names a place, when one does.
            meeting = [(s, u) for s, u in meeting if expected.search(u.text)]
        return meeting, near_miss

    def near_miss(
        self, question: str, passages: list[Document], near: tuple[Unit, list[tuple[str, str | None]]] | None
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


def unit_context(unit: Unit) -> str:
    """What a unit is read with: its document's title, the sentence it points back to, and its
    neighbouring sentences in the passage (a name is often given once, a sentence earlier)."""
    offset = unit.passage.metadata["start"]
    text = unit.passage.page_content
    before = text[max(0, unit.start - offset - 300) : unit.start - offset]
    after = text[unit.end - offset : unit.end - offset + 300]
    previous = [before[s.start : s.end] for s in split_sentences(before)[-1:]] if before.strip() else []
    following = [after[s.start : s.end] for s in split_sentences(after)[:1]] if after.strip() else []
    parts = [unit.passage.metadata.get("title", ""), unit.context, *previous, *following]
    return "\n".join(p for p in parts if p)


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


def group_units(passage: Document) -> list[Unit]:
    """Sentences of a passage, merged so that a quotation stays whole and with its speaker:

    - a sentence that leaves a quotation open is joined with the ones that close it;
    - a quotation with no attribution of its own that follows an attributed quotation joins it
      (“We have the intention...,” Budrys said. “But it's time sensitive. ...” is one unit).
    """
    offset = passage.metadata["start"]
    units: list[Unit] = []
    open_quote = False
    for span in split_sentences(passage.page_content, offset=offset):
        if open_quote and units:
            units[-1].end = span.end
        else:
            units.append(Unit(passage, span.start, span.end))
        open_quote = _quote_open_after(units[-1].text)
        if not open_quote and len(units) >= 2:
            last, prev = units[-1], units[-2]
            same_paragraph = passage.page_content[prev.end - offset : last.start - offset].count("\n") == 0
            if (
                last.text.lstrip()[:1] in _OPEN_QUOTES + '"'
                and not _ATTRIBUTION.search(last.text)
                and _ATTRIBUTION.search(prev.text)
                and any(q in prev.text for q in _CLOSE_QUOTES + '"')
                and same_paragraph
            ):
                prev.end = last.end
                units.pop()
            elif same_paragraph and _ANAPHORIC_START.match(last.text):
                last.context_start = prev.start
    return units


def _quote_open_after(text: str) -> bool:
    depth = sum(text.count(q) for q in _OPEN_QUOTES) - sum(text.count(q) for q in _CLOSE_QUOTES)
    return depth > 0 or text.count('"') % 2 == 1


def _dedupe(units: list[Unit]) -> list[Unit]:
    """Overlapping passages repeat sentences: keep one unit per document position (the longest)."""
    best: dict[tuple[str, int], Unit] = {}
    for unit in units:
        key = (unit.passage.metadata["path"], unit.start)
        if key not in best or unit.end > best[key].end:
            best[key] = unit
    return list(best.values())


def _terms(text: str) -> set[str]:
    # Both forms: the crude stem that folds speech verbs into "say", and the Snowball stem.
    return {form for t in lexical_terms(text) for form in (normalise_term(t), stem(t))}


def lexical_scores(question: str, units: list[Unit], similar=None) -> np.ndarray:
    """Share of the question's terms found in each unit (or the sentence it points back to, or its
    document title), weighted by how rare the term is among the units; names and numbers count
    double. A term is found in any form (Snowball stem, "China" in "Chinese"); a name that is not
    found may count half when `similar(name, words)` (the model's word vectors) finds a close one
    ("China" and "Beijing").

    A question whose key term appears nowhere gets a low score everywhere, which is what lets
    the answerer refuse "What is the capital of France?" over an article about Lithuania.
    """
    raw = [m.group() for m in re.finditer(r"\w+", question)]
    weights: dict[str, float] = {}
    forms: dict[str, tuple[str, str, bool]] = {}
    unit_terms = [_terms(u.text) | _terms(u.context) | _terms(u.passage.metadata.get("title", "")) for u in units]
    for i, word in enumerate(raw):
        if word.lower() in STOPWORDS:
            continue
        term = normalise_term(word)
        is_name = i > 0 and word[0].isupper()
        forms[term] = (stem(word), word, is_name)
        df = sum(_found(term, forms[term][0], ts) for ts in unit_terms)
        weight = math.log(1 + len(units) / (1 + df)) + 0.5
        if word[0].isdigit() or is_name:
            weight *= 2
        weights[term] = max(weights.get(term, 0.0), weight)
    if not weights:
        return np.zeros(len(units))
    total = sum(weights.values())
    scores = []
    for u, ts in zip(units, unit_terms):
        found = 0.0
        for term, weight in weights.items():
            snowball, word, is_name = forms[term]
            if _found(term, snowball, ts):
                found += weight
            elif is_name and similar is not None and similar(word, u.text):
                found += weight / 2
        scores.append(found / total)
    return np.array(scores)


def _found(term: str, snowball: str, unit_terms: set[str]) -> bool:
    return term in unit_terms or snowball in unit_terms or any(same_word(snowball, t) for t in unit_terms)
