"""Who said what: "What did Budrys say (about the EU)?" answered from the quotation index.

Questions are recognised by rule (no model); the speaker is looked up by full name, surname
(accents and case ignored) or, when exactly one speaker bears it, by title ("the prime minister").
The answer lists every quotation of the speaker, grouped by document, each cited at its exact
characters; "about Y" ranks the quotations by similarity to Y and drops the clearly unrelated.
A question naming no quoted person is not ours: `match` returns None and retrieval answers it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel

from index import IndexStore, Speaker, StoredChunk, StoredQuotation, lexical_terms, normalise_speaker
from index.terms import same_word, stem
from prompts import load_prompt

from .errors import AssistantError, QuestionError
from .models import Answer, Citation, Passage
from .turn import Turn, text_deltas
from .units import VectorCache

# Below this cosine similarity to the topic a quotation is not about it, unless it names one of the
# topic's words. On the seed article: "the European Union" scores 0.50-0.54 against the quotations
# that mention Europe, "defense" 0.42 against the one about defence, unrelated topics ("football",
# "the weather", "Trump") at most 0.21.
RELEVANCE_THRESHOLD = 0.25
MAX_QUOTATIONS = 100  # listed in one answer; the CLI and the API list them all
_QUOTE_CACHE_SIZE = 4096

_WHO = r"(?P<who>[^?!,;:]{1,80}?)"
_TOPIC = r"(?:\s+(?:about|on|regarding|concerning|of)\s+(?P<topic>.+?))?"
_SAY = r"(?:say|said|state|stated|claim|claimed|have\s+to\s+say|had\s+to\s+say|been\s+saying)"
_PLEASE = r"(?:(?:please|can\s+you|could\s+you)\s+)?(?:(?:tell|show|give)\s+me|list|find)?\s*"
_QUESTIONS = [
    # What did Budrys say (about Y)? / What has Budrys said? / Tell me what Budrys said about Y
    re.compile(rf"^{_PLEASE}what\s+(?:did|does|do|has|have|had)\s+{_WHO}\s+{_SAY}{_TOPIC}$", re.I),
    re.compile(rf"^{_PLEASE}what\s+{_WHO}\s+(?:said|says|has\s+said|stated){_TOPIC}$", re.I),
    # Did Budrys say anything about Y? / Has Budrys said anything?
    re.compile(rf"^(?:did|has|have|does|had)\s+{_WHO}\s+{_SAY}\s+anything{_TOPIC}$", re.I),
    # Quotes from Budrys (about Y) / Show me all quotations by Budrys
    re.compile(
        rf"^{_PLEASE}(?:all\s+|the\s+|any\s+)?(?:quotes|quotations|statements)\s+(?:from|by|of)\s+{_WHO}{_TOPIC}$", re.I
    ),
    # Budrys quotes / Budrys's quotes
    re.compile(rf"^{_PLEASE}{_WHO}(?:’s|'s)?\s+(?:quotes|quotations|statements){_TOPIC}$", re.I),
]
_PRONOUNS = frozenset("he she they him her them it i you we anyone someone everyone people".split())
_VAGUE_TOPICS = frozenset("it this that these those them him her".split())


@dataclass(frozen=True)
class QuotationQuestion:
    who: str  # the person as asked: "Budrys", "the prime minister"
    topic: str = ""  # "the European Union" in "... say about the European Union?"


@dataclass
class QuotationMatch:
    """A quotation question with the speakers it names and their quotations (by speaker)."""

    question: QuotationQuestion
    speakers: list[Speaker]
    quotations: dict[str, list[StoredQuotation]] = field(default_factory=dict)  # speaker name -> quotations


def parse_quotation_question(question: str) -> QuotationQuestion | None:
    """The person (and topic) a "what did X say?" question asks about, or None.

    >>> parse_quotation_question("What did Budrys say about the European Union?")
    QuotationQuestion(who='Budrys', topic='the European Union')
    >>> parse_quotation_question("quotes from Inga Ruginienė")
    QuotationQuestion(who='Inga Ruginienė', topic='')
    >>> parse_quotation_question("Where did he say it?") is None
    True
    """
    text = " ".join(question.split()).rstrip("?!. ")
    for pattern in _QUESTIONS:
        m = pattern.match(text)
        if not m:
            continue
        who, topic = m.group("who").strip(), (m.group("topic") or "").strip()
        if not who or who.casefold() in _PRONOUNS or len(who.split()) > 6 or topic.casefold() in _VAGUE_TOPICS:
            return None  # "what did he say about it?" is a follow-up for retrieval to place
        return QuotationQuestion(who=who, topic=topic)
    return None


def resolve_speakers(store: IndexStore, who: str) -> list[Speaker]:
    """The speakers `who` names: by name (full or surname), else by title when exactly one
    speaker bears it ("the prime minister" is a person only when one is quoted)."""
    found = store.find_speakers(who)
    if found:
        return found
    titled = store.find_speakers_by_title(who)
    return titled if len(titled) == 1 else []


def close_names(store: IndexStore, who: str, limit: int = 5) -> list[str]:
    """Names of quoted people that look like `who` (a misspelling, a first name), most alike first."""
    wanted = normalise_speaker(who)
    names: dict[str, str] = {}  # a normalised form or word -> the speaker's name
    for speaker in store.speakers():
        for form in speaker.forms:
            names.setdefault(normalise_speaker(form), speaker.name)
            for word in normalise_speaker(form).split():
                names.setdefault(word, speaker.name)
    matches = difflib.get_close_matches(wanted, list(names), n=limit * 3, cutoff=0.6)
    return list(dict.fromkeys(names[m] for m in matches))[:limit]


class UnknownSpeakerError(AssistantError):
    """Nobody by that name is quoted; the message lists close names."""


MAX_SPEAKER_CHARS = 200  # longer than any name with its title; longer patterns overwhelm SQLite's LIKE


def lookup_speakers(store: IndexStore, who: str) -> list[Speaker]:
    """`resolve_speakers`, or an UnknownSpeakerError naming the close names (a QuestionError for a
    name too long to be one)."""
    if len(who) > MAX_SPEAKER_CHARS:
        raise QuestionError(load_prompt("speaker_too_long").format(length=len(who), limit=MAX_SPEAKER_CHARS))
    found = resolve_speakers(store, who)
    if not found:
        close = close_names(store, who)
        hint = load_prompt("quotes_close_names").format(names=", ".join(close)) if close else ""
        raise UnknownSpeakerError(load_prompt("quotes_unknown_speaker").format(who=who, close=hint))
    return found


# -- the listing served by `assistant quotes` and GET /api/speakers -------------------------------


class SpeakerInfo(BaseModel):
    name: str
    title: str  # their most frequent title ("Prime Minister"), or ""
    forms: list[str]  # how the documents name them
    quotations: int
    documents: int


class QuotationInfo(BaseModel):
    text: str  # exactly document_text[start:end]
    kind: str  # "direct" (in quote marks) or "reported" (paraphrased)
    start: int
    end: int


class QuotedDocument(BaseModel):
    source: str
    title: str
    date: str | None  # YYYY-MM-DD when the document states it
    quotations: list[QuotationInfo]


class SpeakerQuotes(SpeakerInfo):
    by_document: list[QuotedDocument]  # newest first (undated last), quotations in document order


def speaker_info(speaker: Speaker) -> SpeakerInfo:
    return SpeakerInfo(name=speaker.name, title=speaker.title, forms=list(speaker.forms), quotations=speaker.count,
                       documents=speaker.documents)


def speaker_quotes(store: IndexStore, speaker: Speaker) -> SpeakerQuotes:
    documents: dict[str, QuotedDocument] = {}
    for q in store.quotations(speaker):
        doc = documents.setdefault(q.path, QuotedDocument(source=q.source, title=q.document_title, date=q.date,
                                                          quotations=[]))
        doc.quotations.append(QuotationInfo(text=q.text, kind=q.kind, start=q.start, end=q.end))
    return SpeakerQuotes(**speaker_info(speaker).model_dump(), by_document=list(documents.values()))


def speaker_label(speaker: Speaker | SpeakerInfo) -> str:
    """'Kestutis Budrys (Lithuanian Foreign Minister)', or the name alone."""
    return f"{speaker.name} ({speaker.title})" if speaker.title else speaker.name


class QuotationAnswerer:
    """Finds quotation questions and answers them from the store's quotation index."""

    def __init__(self, store: IndexStore, embedder, relevance_threshold: float = RELEVANCE_THRESHOLD,
                 max_quotations: int = MAX_QUOTATIONS):
        self.store = store
        self.embedder = embedder
        self.relevance_threshold = relevance_threshold
        self.max_quotations = max_quotations
        self._vectors = VectorCache(_QUOTE_CACHE_SIZE)

    def match(self, question: str) -> QuotationMatch | None:
        """The speakers and quotations a quotation question asks for; None when it is not one, or
        when nobody it could name is quoted (then retrieval answers it)."""
        parsed = parse_quotation_question(question)
        if parsed is None:
            return None
        speakers = resolve_speakers(self.store, parsed.who)
        quotations = {s.name: self.store.quotations(s) for s in speakers}
        speakers = [s for s in speakers if quotations[s.name]]
        if not speakers:
            return None
        return QuotationMatch(parsed, speakers, quotations)

    def stream(self, turn: Turn) -> Iterator[str | Answer]:
        answer = self.answer(turn)
        yield from text_deltas(answer.answer)
        yield answer

    def answer(self, turn: Turn) -> Answer:
        """Every quotation of the speakers the turn's match names (about the topic, when one is asked), cited."""
        match = turn.quoted
        if match is None:
            raise ValueError("QuotationAnswerer answers turns on the quotations route (turn.quoted is set)")
        question = match.question
        sections: list[str] = []
        citations: list[Citation] = []
        passages: dict[str, Passage] = {}
        for speaker in match.speakers:
            quotations = match.quotations[speaker.name]
            if question.topic:
                with turn.timings.stage("embed_quotations"):
                    scores = self._relevance(question.topic, quotations)
            else:
                scores = [1.0] * len(quotations)
            kept = [(q, s) for q, s in zip(quotations, scores, strict=True) if s is not None]
            if question.topic:
                kept.sort(key=lambda qs: -qs[1])
            section = self._section(speaker, kept, question.topic, citations, passages) if kept else (
                load_prompt("quotes_not_about").format(speaker=speaker_label(speaker), topic=question.topic,
                                                       who=speaker.name))
            if section:
                sections.append(section)
        if not sections:  # nothing could be cited (chunks out of step with the quotations)
            sections = [load_prompt("refusal")]
        elif len(match.speakers) > 1:
            several = load_prompt("quotes_several_speakers").format(who=question.who, count=len(match.speakers))
            sections.insert(0, several)
        ordered = sorted(passages.values(), key=lambda p: -p.score)
        return Answer(question="", answer="\n\n".join(sections), refused=not citations, citations=citations,
                      passages=ordered)

    def _section(self, speaker: Speaker, kept: list[tuple[StoredQuotation, float]], topic: str,
                 citations: list[Citation], passages: dict[str, Passage]) -> str | None:
        """One speaker's quotations, grouped by document (documents in the order of their first
        quotation), each line cited; citations and passages are appended to."""
        shown, hidden = kept[: self.max_quotations], len(kept) - self.max_quotations
        by_document: dict[str, list[tuple[StoredQuotation, float]]] = {}
        for q, score in shown:
            by_document.setdefault(q.path, []).append((q, score))
        about = load_prompt("quotes_about").format(topic=topic) if topic else ""
        several = len(by_document) > 1
        first = next(iter(by_document.values()))[0][0]
        where = (load_prompt("quotes_documents").format(count=len(by_document)) if several
                 else f"“{first.document_title}”")
        lines = [load_prompt("quotes_said").format(speaker=speaker_label(speaker), about=about, where=where)]
        for group in by_document.values():
            if several:
                doc = group[0][0]
                date = f" ({doc.date})" if doc.date else ""
                lines += ["", load_prompt("quotes_document_heading").format(title=doc.document_title, date=date)]
            for q, score in group:
                markers = []
                for chunk, start, end in self._spans(q):
                    n = len(citations) + 1
                    citations.append(Citation(
                        n=n, source=chunk.source, title=q.document_title, chunk_id=chunk.chunk_id, start=start,
                        end=end, quote=chunk.text[start - chunk.start : end - chunk.start], score=round(score, 6),
                    ))
                    markers.append(f"[{n}]")
                    known = passages.get(chunk.chunk_id)
                    if known is None or known.score < score:
                        passages[chunk.chunk_id] = Passage(
                            chunk_id=chunk.chunk_id, source=chunk.source, title=chunk.title, start=chunk.start,
                            end=chunk.end, text=chunk.text, score=round(score, 6),
                        )
                if markers:
                    text = " ".join(q.text.split())
                    template = load_prompt("quote_direct" if q.kind == "direct" else "quote_reported")
                    shown_text = template.format(text=text)
                    lines.append(f"- {shown_text} {''.join(markers)}")
        if not any(line.startswith("- ") for line in lines):
            return None  # nothing could be cited (chunks out of step with the quotations): say nothing
        if hidden > 0:
            lines += ["", load_prompt("quotes_more").format(count=hidden, who=speaker.name)]
        return "\n".join(lines)

    def _spans(self, q: StoredQuotation) -> list[tuple[StoredChunk, int, int]]:
        """(chunk, start, end) pieces covering the quotation, each inside its chunk: one piece
        normally; a quotation longer than the chunk overlap is cut at chunk ends."""
        chunks = self.store.chunks_covering(q.path, q.start, q.end)
        holding = [c for c in chunks if c.start <= q.start and q.end <= c.end]
        if holding:  # chunks overlap: the one with the most context on both sides of the quotation
            return [(max(holding, key=lambda c: min(q.start - c.start, c.end - q.end)), q.start, q.end)]
        pieces, pos = [], q.start
        for chunk in chunks:
            if chunk.end <= pos:
                continue
            if chunk.start > pos:
                if q.text[pos - q.start : chunk.start - q.start].strip():
                    return []  # text no chunk holds (should not happen): cite nothing rather than part
                pos = chunk.start
            start, end = pos, min(q.end, chunk.end)
            piece = chunk.text[start - chunk.start : end - chunk.start]
            start += len(piece) - len(piece.lstrip())
            end -= len(piece) - len(piece.rstrip())
            if start < end:
                pieces.append((chunk, start, end))
            pos = min(q.end, chunk.end)
            if pos >= q.end:
                break
        return pieces if pos >= q.end or not q.text[pos - q.start :].strip() else []

    def _relevance(self, topic: str, quotations: list[StoredQuotation]) -> list[float | None]:
        """Each quotation's relevance to the topic (cosine similarity, plus a bonus for naming the
        topic's words), or None when it is clearly about something else."""
        texts = [" ".join(q.text.split()) for q in quotations]
        similarity = self._vectors.get_or_compute(texts, self.embedder.encode) @ self.embedder.query_vector(topic)
        terms = _content_stems(topic)
        scores: list[float | None] = []
        for text, sim in zip(texts, np.asarray(similarity, dtype=float), strict=True):
            named = _named_share(terms, text)
            relevant = sim >= self.relevance_threshold or named > 0
            scores.append(float(sim) + 0.2 * named if relevant else None)
        return scores


def _content_stems(text: str) -> set[str]:
    """The Snowball stems of the words that carry meaning; words under three letters ("U.S." gives
    "u", "s") are left out.

    >>> sorted(_content_stems("the European Union's forces"))
    ['european', 'forc', 'union']
    """
    return {stem(t) for t in lexical_terms(normalise_speaker(text)) if len(t) >= 3}


def _named_share(terms: set[str], text: str) -> float:
    """The share of the topic's stems that the text names in some form ("Europe" in "European").

    >>> _named_share({"europ", "defenc"}, "the European Union")
    0.5
    """
    found = _content_stems(text)
    return sum(any(same_word(t, f) for f in found) for t in terms) / len(terms) if terms else 0.0
