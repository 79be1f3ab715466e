"""Evidence scores: how well each sentence unit of the retrieved passages answers the question
(embedding similarity, the question's words found in any form, the kind of text it asks for),
and the rerank of the passages by their best unit.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document

from index import STOPWORDS, lexical_terms
from index.embedding import SentenceEmbedder
from index.terms import lemma, same_word, stem
from index.units import answerable, unit_key, unit_text

from .retrieval import reciprocal_rank_fusion
from .support import SupportChecker
from .turn import ScoredUnit
from .units import Unit, dedupe_units, group_units

# Weights of the kinds of evidence; the refusal threshold is calibrated on this mix.
SEMANTIC_WEIGHT, LEXICAL_WEIGHT, ANSWER_TYPE_BONUS = 0.6, 0.4, 0.1


@dataclass(frozen=True)
class AnswerType:
    """A kind of text a question asks for, by its wording (classic answer-type matching)."""

    name: str
    asks: re.Pattern[str]  # the question's wording
    answered_by: re.Pattern[str]  # what a sentence that answers it contains


# The wh-word decides first: "Where did he say it?" asks for a place, not a quotation.
ANSWER_TYPES = (
    AnswerType(
        "quantity",
        re.compile(r"\bhow (many|much|long|far|old|large|big|tall|high)\b|\bwhat (number|percentage|amount)\b", re.I),
        re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b",
                   re.I),
    ),
    AnswerType(
        "place",
        re.compile(r"\bwhere\b|\bin which (city|country|place|town|state)\b", re.I),
        # A place after a preposition: a run of capitalised words ("on the sidelines of the Munich
        # Security Conference"), or one word closing the clause ("in Vilnius.").
        re.compile(r"\b(?:in|at|on|near|during|outside|inside)\b[^.;:!?“”\"]{0,40}?\b[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)+"
                   r"|\b(?:in|at|near) (?:the )?[A-Z][\w’'-]+(?=[,.;)]|$)"),
    ),
    AnswerType(
        "time",
        re.compile(r"\bwhen\b|\bwhat (year|date|month|day|century|decade)\b|\bin which year\b", re.I),
        re.compile(r"\b(1\d{3}|20\d{2})\b|\b(January|February|March|April|May|June|July|August|September|October|"
                   r"November|December|century|decade)\b|\d{1,2}(st|nd|rd|th)\b", re.I),
    ),
    AnswerType(
        "speech",
        re.compile(r"\b(say|says|said|state[sd]?|tell|told|quotes?|comment(ed)?|speak|spoke)\b", re.I),
        re.compile(r"[“”\"«»]"),
    ),
)


def refuses(best_score: float | None, threshold: float) -> bool:
    """The refusal rule: no unit at all, or the best one below the threshold.

    >>> refuses(0.44, 0.45), refuses(0.45, 0.45), refuses(None, 0.2)
    (True, False, True)
    """
    return best_score is None or best_score < threshold


def expected_answer_type(question: str) -> AnswerType | None:
    """The kind of text that answers the question, judging by its wording, or None.

    >>> expected_answer_type("What did Budrys say?").answered_by.search("“Yes,” he said.") is not None
    True
    >>> expected_answer_type("Where was Budrys speaking?").name, expected_answer_type("Who is the prime minister?")
    ('place', None)
    """
    return next((kind for kind in ANSWER_TYPES if kind.asks.search(question)), None)


# Chunk ids -> their units' vectors as embedded at ingest, by `unit_key` (IndexStore.unit_vectors).
StoredUnits = Callable[[list[str]], Mapping[str, np.ndarray]]

RERANK_RRF_K = 60  # the rerank's own fusion of its two rankings (the usual constant)


class EvidenceScorer:
    """Scores the sentence units of passages against a question, and reranks passages by them."""

    def __init__(self, embedder: SentenceEmbedder, checker: SupportChecker):
        self.embedder = embedder
        self.checker = checker

    def score_units(
        self, question: str, passages: list[Document], stored: StoredUnits | None = None,
    ) -> tuple[list[ScoredUnit], float]:
        """Every unit of the passages with its score, best first, and the milliseconds spent
        finding or embedding the units' vectors (the rest is scoring). `stored` gives the vectors
        embedded at ingest for chunk ids (by `unit_key`); units it lacks are embedded here."""
        units = [u for u in dedupe_units([u for p in passages for u in group_units(p)]) if answerable(u.text)]
        if not units:
            return [], 0.0
        texts = [unit_text(u.text) for u in units]
        t0 = time.perf_counter()
        lookup = None
        if stored is not None:
            chunk_ids = list(dict.fromkeys(p.metadata["chunk_id"] for p in passages))

            def lookup(uncached: list[str]) -> dict[str, np.ndarray]:
                by_key = stored(chunk_ids)
                return {t: by_key[key] for t in uncached if (key := unit_key(t)) in by_key}

        vectors = self.checker.sentence_vectors.get_or_compute(texts, self.embedder.encode, lookup)
        embed_ms = (time.perf_counter() - t0) * 1000
        semantic = vectors @ self.embedder.query_vector(question)
        lexical = lexical_scores(question, units, similar=self.checker.similar_names)
        expected = expected_answer_type(question)
        typed = np.array(
            [ANSWER_TYPE_BONUS if expected and expected.answered_by.search(u.text) else 0.0 for u in units]
        )
        scores = SEMANTIC_WEIGHT * np.clip(semantic, 0, 1) + LEXICAL_WEIGHT * lexical + typed
        ranked = sorted(zip(scores.tolist(), range(len(units)), strict=True), key=lambda t: (-t[0], t[1]))
        return [(score, units[i]) for score, i in ranked], embed_ms

    def rerank(
        self, question: str, candidates: list[Document], k: int,
        stored: StoredUnits | None = None,
    ) -> tuple[list[Document], list[ScoredUnit], float]:
        """The `k` best candidates and their scored units, best first, and the milliseconds spent
        embedding units.

        Candidates are ordered by reciprocal rank fusion of two rankings: by their best sentence's
        evidence score (semantic, lexical, answer type: what the answer will be built from), and
        by BM25 (exact terms such as years and names, which sentence embeddings blur). Fused
        scores replace the passages' `score`; the retrieval score stays as `retrieval_score`.
        """
        scored, embed_ms = self.score_units(question, candidates, stored)
        best: dict[int, float] = {}
        for score, unit in scored:
            best.setdefault(id(unit.passage), score)
        by_evidence = sorted(candidates, key=lambda p: -best.get(id(p), 0.0))
        by_terms = sorted(
            (p for p in candidates if p.metadata.get("lexical_score") is not None),
            key=lambda p: -p.metadata["lexical_score"],
        )
        # BM25 first: on a tie (one list's 1st is the other's 2nd) exact-term evidence decides.
        fused = reciprocal_rank_fusion([[id(p) for p in by_terms], [id(p) for p in by_evidence]], k=RERANK_RRF_K)
        lookup = {id(p): p for p in candidates}
        kept: dict[int, Document] = {}  # candidate's id -> its reranked copy
        for rank, (key, score) in enumerate(fused[:k], start=1):
            passage = lookup[key]
            metadata = {**passage.metadata, "retrieval_score": passage.metadata["score"], "score": score, "rank": rank}
            kept[key] = passage.model_copy(update={"metadata": metadata})
        units = [(score, replace(u, passage=kept[id(u.passage)])) for score, u in scored if id(u.passage) in kept]
        return list(kept.values()), units, embed_ms


@lru_cache(maxsize=4096)
def _terms(text: str) -> frozenset[str]:
    # Both forms: the lemma, which folds words of speech into "say", and the Snowball stem.
    return frozenset(form for t in lexical_terms(text) for form in (lemma(t), stem(t)))


def lexical_scores(question: str, units: list[Unit], similar=None) -> np.ndarray:
    """Share of the question's terms found in each unit (or the sentence it points back to, or its
    document title), weighted by how rare the term is among the units; names and numbers count
    double. A term is found in any form (Snowball stem, "China" in "Chinese"); a name that is not
    found may count half when `similar(name, texts)` (the model's word vectors, for each unit's
    text) finds a close one ("China" and "Beijing").

    A question whose key term appears nowhere gets a low score everywhere, which is what lets
    the answerer refuse "What is the capital of France?" over an article about Lithuania.
    """
    raw = [m.group() for m in re.finditer(r"\w+", question)]
    weights: dict[str, float] = {}
    forms: dict[str, tuple[str, str, bool]] = {}
    unit_terms = [_terms(u.text) | _terms(u.context) | _terms(u.passage.metadata.get("title", "")) for u in units]
    every_term = frozenset().union(*unit_terms)
    # The units' terms each of the question's stems names (`same_word`), found once over all units.
    named: dict[str, frozenset[str]] = {}

    def _found(term: str, snowball: str, ts: frozenset[str]) -> bool:
        if term in ts or snowball in ts:
            return True
        if snowball not in named:
            named[snowball] = frozenset(t for t in every_term if same_word(snowball, t))
        return not named[snowball].isdisjoint(ts)

    for i, word in enumerate(raw):
        if word.lower() in STOPWORDS:
            continue
        term = lemma(word)
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
    found = np.zeros(len(units))
    for term, weight in weights.items():
        snowball, word, is_name = forms[term]
        hits = [_found(term, snowball, ts) for ts in unit_terms]
        found += weight * np.array(hits, dtype=float)
        missed = [i for i, hit in enumerate(hits) if not hit]
        if is_name and similar is not None and missed:
            # One look-up of the model's word vectors for all the units that lack the name.
            close = similar(word, [units[i].text for i in missed])
            found[[i for i, c in zip(missed, close, strict=True) if c]] += weight / 2
    return found / total

