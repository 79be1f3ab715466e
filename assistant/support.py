"""The support check: does a cited span say what a sentence of an answer (or a question) claims?

One check, used by every answerer. A claim is supported when the span (with its document's title
and dateline, where a name is often given once) contains

- every number, date and year of the claim ("2022 in the claim, 2021 in the passage");
- every person, place and organisation it names ("names Ruginienė, the passage names Budrys");
- its content words, in some form: the same stem, or a word the embedding model puts close
  ("curbs" for "restrictions"), enough of them to cover the claim;
- the same polarity: a negation on one side only is a reversal.

Each verdict has a score and a reason a person can read. Deliberate simplifications: words are
compared one by one (no parsing), so a claim that recombines the span's own words into another
meaning can pass; numbers are compared as written (no unit conversion). docs/BENCHMARKS.md has
the measured precision and recall per kind of error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from index.terms import Token, fold, same_word, tokens

from .claims import (
    NATIONALITY,
    Claim,
    acronym_of,
    dotted_acronyms,
    find_reversal,
    initials_of,
    is_connective,
    looks_like_year,
    name_runs,
    parse_claim,
    says_not,
)
from .places import stands_for
from .support_rules import (
    NUMBERED,
    content_reason,
    contiguous,
    intent_only_in_span,
    number_reason,
    only_in_contrast,
    opposite_by_prefix,
    same_order,
    written_names,
    written_pattern,
)
from .units import Lookup, VectorCache

# Soft matching of a content word by the model's word vectors; above SOFT_MATCH a word counts
# (with its similarity as weight), above COUNTERPART it is named in the reason as what the passage says.
SOFT_MATCH, COUNTERPART = 0.70, 0.45
CONTEXT_MATCH = 0.6  # the same for word pieces in context
# A claim covered less than that is still a paraphrase when it covers at least PARAPHRASE_COVERAGE
# and its sentence vector is this close to the span's (both chosen on tests/data/support/dev.jsonl).
PARAPHRASE_COVERAGE, PARAPHRASE_SIMILARITY = 0.5, 0.88
SENTENCE_CACHE_SIZE = 20_000
SUPPORT_THRESHOLD = 0.8  # share of the claim's content covered; calibrated on tests/data/support/dev.jsonl
# A question's content words need not be in its answer at all ("When did the siege take place?"
# is answered by "The siege ended in 1098"): its names, numbers and qualifiers constrain it, and the
# evidence score ranks. Measured on SQuAD: a bar of 0.5 refused a quarter of answerable questions.
QUESTION_THRESHOLD = 0.0


@dataclass(frozen=True)
class Evidence:
    """A cited span, and what of its document may complete it: its title and dateline (and, for a
    question, the neighbouring sentences); `surroundings`, wider still, may hold a question's
    numbers and years (the passage around it: "the 2015 season" said once)."""

    text: str
    context: str = ""
    surroundings: str = ""
    neighbours: str = ""  # a question's: the sentences next to the span (its names, never its numbers)


@dataclass(frozen=True)
class Verdict:
    supported: bool
    score: float  # 0..1: how much of the claim the evidence covers
    reason: str  # "" when supported
    kind: str  # supported | connective | number | entity | negation | content | empty
    missing: tuple[str, ...] = field(default=())  # the claim's words the evidence lacks

    def __bool__(self) -> bool:
        return self.supported


class SupportChecker:
    """Decides whether evidence supports a claim; `embedder` (optional) adds soft word matches."""

    def __init__(self, embedder=None, threshold: float = SUPPORT_THRESHOLD,
                 question_threshold: float = QUESTION_THRESHOLD, word_vectors: Lookup | None = None):
        self.embedder = embedder
        # The index's word vectors, embedded at ingest (IndexStore.word_vectors): a word of the
        # evidence is found there, not embedded while a question waits.
        self.stored_words = word_vectors
        self.threshold = threshold
        self.question_threshold = question_threshold
        self._word_vectors = VectorCache(50_000)
        # Sentence vectors kept between questions (384 floats each, about 30 MB), shared with the
        # evidence scorer: a unit embedded for the rerank is not embedded again to check a claim.
        self.sentence_vectors = VectorCache(SENTENCE_CACHE_SIZE)
        self._contextual: dict[str, tuple] = {}

    # -- answers -----------------------------------------------------------------------------------

    def check(self, claim: str, evidence: Sequence[Evidence]) -> Verdict:
        """The verdict on one sentence of an answer against the span(s) it cites."""
        if not evidence:
            if is_connective(claim):
                return Verdict(True, 1.0, "", "connective")
            return Verdict(False, 0.0, "cites nothing", "uncited")
        parsed = parse_claim(claim)
        span_text = "\n".join(e.text for e in evidence)
        span_words = tokens(span_text)
        context_words = [w for e in evidence for w in tokens(e.context)]
        if not parsed.content and not parsed.names and not parsed.numbers:
            return Verdict(True, 1.0, "", "connective")
        return self._judge(parsed, span_words, span_words + context_words, question=False, span_text=span_text)

    # -- questions -----------------------------------------------------------------------------------

    def meets(self, question: str, evidence: Sequence[Evidence]) -> Verdict:
        """Whether the evidence (a unit, with its title and neighbouring sentences as context) meets
        the question's constraints: every number and year, every name, and enough of its content
        words (`question_threshold` of them; a question's words are not all in its answer)."""
        parsed = parse_claim(question, question=True)
        words = [w for e in evidence for w in (*tokens(e.text), *tokens(e.context))]
        # A name may be given once, a sentence earlier; a number belongs to its sentence ("Season 18" is
        # not met by a sentence about the seventeenth season next to one that says 18), but a year may be
        # set once for a whole passage ("the 2015 season") or in the document's lead.
        words += [w for e in evidence for w in tokens(e.neighbours) if w.number is None]
        wider = [w for e in evidence for w in tokens(e.surroundings)]
        years = [w for w in wider if looks_like_year(w.number)]
        span_text = "\n".join(e.text for e in evidence)
        contrast = only_in_contrast(parsed, span_text)
        if contrast:
            return Verdict(False, 0.0, contrast, "entity")
        readable = "\n".join(f"{e.text}\n{e.context}\n{e.neighbours}" for e in evidence)
        for name in written_names(parsed):
            # "GPT-2" is not "GPT-3", though both are GPT and a 2 may be elsewhere ("Dec 2").
            if NUMBERED.search(name) and not re.search(written_pattern(name), readable, re.I):
                return Verdict(False, 0.0, f"{name} in the question, not in the passage", "entity", (name,))
        return self._judge(parsed, words, words + years, question=True, document=wider, own_text=span_text)

    def differences(self, question: str, evidence: Sequence[Evidence]) -> list[tuple[str, str | None]]:
        """The question's numbers, names and content words the evidence lacks, each with what the
        evidence says in its place (a number of the same kind, the closest name or word), or None."""
        parsed = parse_claim(question, question=True)
        words = [w for e in evidence for w in tokens(e.text)]
        stems, initials = [w.stem for w in words], initials_of(words)
        out: list[tuple[str, str | None]] = []
        for number in parsed.numbers:
            if number.number not in {w.number for w in words if w.number}:
                year = looks_like_year(number.number)
                same = [w.text for w in words if w.number and looks_like_year(w.number) == year]
                out.append((number.text, same[0] if same else None))
        asked = {w.text for run in parsed.names for w in run}
        others = [w for run in name_runs(words) for w in run if w.text not in asked]
        for run in parsed.names:
            for word in run:
                if not self._has(word, stems, initials):
                    out.append((word.text, _text(self._closest(word, others)[1])))
        content = [w for w in words if not w.is_stopword and w.number is None and len(w.text) > 1]
        for word in parsed.content:
            if not any(same_word(word.stem, c.stem) for c in content):
                similarity, closest = self._closest(word, content)
                if similarity < SOFT_MATCH:
                    out.append((word.text, _text(closest) if similarity >= COUNTERPART else None))
        return out

    def similar_names(self, name: str, texts: Sequence[str]) -> list[bool]:
        """For each of `texts`, whether it names something the model's word vectors put close to
        `name` ("Beijing" for "China"), with one look-up of all their names' vectors: a hint for
        ranking, never evidence for a claim (Germany is close to France too)."""
        asked = tokens(name)
        names = [[fold(w.text) for run in name_runs(tokens(text)) for w in run] for text in texts]
        if self.embedder is None or not asked or not any(names):
            return [False] * len(texts)
        words = list(dict.fromkeys(w for text_names in names for w in text_names))
        vectors = self._word_vectors.get_or_compute([fold(asked[0].text), *words], self.embedder.encode,
                                                    self.stored_words)
        similarity = dict(zip(words, (vectors[1:] @ vectors[0]).tolist(), strict=True))
        return [max((similarity[w] for w in text_names), default=0.0) >= SOFT_MATCH for text_names in names]

    # -- the rules -------------------------------------------------------------------------------------

    def _judge(
        self, claim: Claim, span: list[Token], extended: list[Token], question: bool, span_text: str = "",
        document: list[Token] | None = None, own_text: str | None = None,
    ) -> Verdict:
        numbers = {w.number for w in extended if w.number}
        for number in claim.numbers:
            if number.number not in numbers:
                return Verdict(False, 0.0, number_reason(number, span, question), "number")

        stems = [w.stem for w in extended]
        initials = initials_of(extended)
        # Only acronyms the evidence writes ("U.S." for the claim's "United States"); the initials of its
        # names would let "CFO of Google" pass on "CEO of Google".
        acronyms = {fold(w.text) for w in extended if acronym_of(w.text)} | {fold(a) for a in dotted_acronyms(extended)}
        evidence_names: list[str] | None = None
        for run in claim.names:
            if len(run) >= 2 and fold("".join(w.text[0] for w in run)) in acronyms:
                continue  # "United States" for "U.S."
            absent = [w for w in run if not self._has(w, stems, initials)]
            if absent and evidence_names is None:
                evidence_names = [" ".join(w.text for w in r) for r in name_runs(extended)]
            if absent and stands_for(" ".join(w.text for w in run), evidence_names or ()):
                continue  # "China" for "Beijing", "Lithuania" for "Vilnius" (assistant/places.py)
            # Where the document may say the rest: a question's "Carolina Panthers" is "the Panthers" in
            # the answer (the name's head is there), and "the Mongolian president" gives a nationality
            # the document names once.
            head_there = len(run) >= 2 and run[-1] not in absent and contiguous(run, claim.text)
            nationality = len(run) == 1 and bool(NATIONALITY.search(run[0].text))
            if absent and document and (head_there or nationality):
                document_stems = [w.stem for w in document]
                absent = [w for w in absent if not self._has(w, document_stems, set())]
            if absent:
                return Verdict(False, 0.0, self._name_reason(run, absent, extended, claim, question), "entity",
                               tuple(w.text for w in absent))

        span_content = [w for w in extended if not w.is_stopword and w.number is None and len(w.text) > 1]
        weights, missing, counterparts = [], [], []
        # Word pieces in context (BERTScore-style greedy matching), when the model gives them: "beat"
        # finds "defeated" where a word alone would not; antonyms stay apart better than word by word.
        in_span = [w for w in span if not w.is_stopword and w.number is None and len(w.text) > 1]
        claim_vectors = self._in_context(claim.text, claim.content) if span_text and claim.text else None
        span_vectors = self._in_context(span_text, in_span) if claim_vectors is not None else None
        for i, word in enumerate(claim.content):
            if any(same_word(word.stem, s.stem) for s in span_content):
                weights.append(1.0)
                continue
            if span_vectors is not None and claim_vectors is not None and len(in_span):
                contextual = float(np.max(span_vectors @ claim_vectors[i]))
                if contextual >= CONTEXT_MATCH:
                    weights.append(contextual)
                    continue
            similarity, closest = self._closest(word, span_content)
            if similarity >= SOFT_MATCH:
                weights.append(similarity)
                continue
            weights.append(0.0)
            missing.append(word.text)
            unclaimed = [w for w in span_content if not any(same_word(w.stem, c.stem) for c in claim.content)]
            similarity, closest = self._closest(word, unclaimed)
            counterparts.append(closest.text if closest is not None and similarity >= COUNTERPART else None)
        score = float(np.mean(weights)) if weights else 1.0
        if question:
            written = {fold(w.text) for w in extended}  # "first" is there, though read as a number
            for word in claim.qualifiers:
                if word.text in missing and fold(word.text) not in written:
                    counterpart = counterparts[missing.index(word.text)]
                    where = f", {counterpart} in the passage" if counterpart else ", not in the passage"
                    return Verdict(False, round(score, 4), f"{word.text} in the question{where}", "content",
                                   tuple(missing))

        if not question:
            reversal = find_reversal(claim, span, span_text, claim.text)
            if reversal:
                return Verdict(False, min(score, 0.3), reversal, "negation")
        opposite = opposite_by_prefix(claim.content, span_content, "the question" if question else "the claim")
        if opposite:
            return Verdict(False, min(score, 0.3), opposite, "negation", tuple(missing))
        if question and claim.negated and own_text is not None and not says_not(own_text):
            # "What is not prevented from entering?" is not answered by what prevents it (the denial must
            # be in the sentence itself, not in its title or neighbours).
            return Verdict(False, round(score, 4), "the question asks what is not so, the passage denies nothing",
                           "negation")
        if question and score >= self.question_threshold:
            return Verdict(True, round(score, 4), "", "supported")
        if not question and missing:
            modal = intent_only_in_span(claim, span, missing)
            if modal:
                return Verdict(False, min(score, 0.3), modal, "negation", tuple(missing))
        if not question and score >= self.threshold:
            return Verdict(True, round(score, 4), "", "supported")
        if (
            not question and score >= PARAPHRASE_COVERAGE and claim.negated == says_not(span_text)
            and same_order(claim.names, span) and self._restates(claim.text, span_text)
        ):
            # A paraphrase: its numbers and names hold (in the span's order: who did what to whom),
            # both or neither deny, most of its words are there in some form, and the model reads
            # the whole sentence as saying the same.
            return Verdict(True, round(score, 4), "", "supported")
        return Verdict(False, round(score, 4), content_reason(missing, counterparts), "content", tuple(missing))

    def _restates(self, claim: str, span: str) -> bool:
        """Whether the model's sentence vectors put the claim and the span at PARAPHRASE_SIMILARITY or closer."""
        if self.embedder is None or not claim or not span:
            return False
        texts = [" ".join(claim.split()), " ".join(span.split())]
        vectors = self.sentence_vectors.get_or_compute(texts, self.embedder.encode)
        return float(vectors[0] @ vectors[1]) >= PARAPHRASE_SIMILARITY

    def _has(self, word: Token, stems: list[str], initials: set[str]) -> bool:
        acronym = acronym_of(word.text)
        if acronym and acronym in initials:
            return True
        return any(same_word(word.stem, s) for s in stems) or (acronym is not None and fold(acronym) in stems)

    def _in_context(self, text: str, words: list[Token]) -> np.ndarray | None:
        """Contextual vectors of `words` (tokens of `text`): the mean of their word pieces'."""
        if self.embedder is None or not hasattr(self.embedder, "token_vectors") or not text:
            return None
        key = text
        cached = self._contextual.get(key)
        if cached is None:
            cached = self.embedder.token_vectors(text)
            if cached is None:
                return None
            if len(self._contextual) > 2000:
                self._contextual.clear()
            self._contextual[key] = cached
        offsets, hidden = cached
        out = np.zeros((len(words), hidden.shape[1]), dtype=np.float32)
        for i, word in enumerate(words):
            end = word.start + len(word.text)
            pieces = [j for j, (a, b) in enumerate(offsets) if b > a and a < end and b > word.start]
            if pieces:
                vector = hidden[pieces].mean(axis=0)
                out[i] = vector / max(float(np.linalg.norm(vector)), 1e-9)
        return out

    def _closest(self, word: Token, candidates: list[Token]) -> tuple[float, Token | None]:
        if self.embedder is None or not candidates:
            return 0.0, None
        texts = [fold(word.text)] + list(dict.fromkeys(fold(c.text) for c in candidates))
        vectors = self._word_vectors.get_or_compute(texts, self.embedder.encode, self.stored_words)
        similarities = vectors[1:] @ vectors[0]
        best = int(np.argmax(similarities))
        chosen = next(c for c in candidates if fold(c.text) == texts[1 + best])
        return float(similarities[best]), chosen

    def _name_reason(self, run, absent, words, claim: Claim, question: bool) -> str:
        name = " ".join(w.text for w in run)
        others = [" ".join(w.text for w in r) for r in name_runs(words)]
        claimed = {fold(w.text) for r in claim.names for w in r}
        others = [o for o in dict.fromkeys(others) if not {fold(p) for p in o.split()} & claimed]
        if self.embedder is not None and others:
            vectors = self._word_vectors.get_or_compute(
                [fold(name), *map(fold, others)], self.embedder.encode, self.stored_words
            )
            others = [others[int(np.argmax(vectors[1:] @ vectors[0]))]]
        subject = "the question" if question else "the claim"
        if others:
            return f"{name} in {subject}, {others[0]} in the passage"
        return f"{subject} names {name}, the passage does not"


def _text(word: Token | None) -> str | None:
    return word.text if word is not None else None
