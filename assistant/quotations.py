"""Who said what: "What did Budrys say (about the EU)?" answered from the quotation index.

Questions are recognised by rule (no model); the speaker is looked up by full name, surname
(accents and case ignored) or, when exactly one speaker bears it, by title ("the prime minister").
The answer is a digest (see `quote_digest`): the speaker's quotations ranked (by similarity to the
question's "about Y", dropping the clearly unrelated; else newest document first), ten a page,
grouped by document under its title and date, each cited at its exact characters, and a count of
the rest; "more" as the next question shows the next page. A time ("on Friday", "in March", "last
week") filters by the document's date. A question naming no quoted person is not ours: `match`
returns None and retrieval answers it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from index import (
    IndexStore,
    Speaker,
    StoredChunk,
    StoredQuotation,
    called_by,
    lexical_terms,
    normalise_speaker,
    split_title,
)
from index.terms import same_word, stem
from prompts import load_prompt

from .errors import AssistantError, QuestionError
from .models import Answer, Citation, MoreQuotations, Passage
from .quote_digest import PAGE_SIZE, DigestPage, SpeakerInfo, digest_page, in_timespan, title_in_document
from .quote_questions import QuotationQuestion, parse_quotation_question
from .turn import Turn, text_deltas
from .units import VectorCache

# Below this cosine similarity to the topic a quotation is not about it, unless it names one of the
# topic's words. On the seed article: "the European Union" scores 0.50-0.54 against the quotations
# that mention Europe, "defense" 0.42 against the one about defence, unrelated topics ("football",
# "the weather", "Trump") at most 0.21.
RELEVANCE_THRESHOLD = 0.25
_QUOTE_CACHE_SIZE = 32_768  # quotation vectors kept (384 floats each): a prolific speaker's pages re-rank fast

@dataclass
class QuotationMatch:
    """A quotation question with the speakers it names and their quotations (by speaker)."""

    question: QuotationQuestion
    speakers: list[Speaker]
    quotations: dict[str, list[StoredQuotation]] = field(default_factory=dict)  # speaker name -> quotations
    others: list[Speaker] = field(default_factory=list)  # also bear the name, but the documents call them otherwise


def resolve_speakers(store: IndexStore, who: str, found: list[Speaker] | None = None) -> list[Speaker]:
    """The speakers `who` names: by name (full or surname; of several sharing a surname, the ones
    the documents call by it alone), else by title when exactly one speaker bears it ("the prime
    minister" is a person only when one is quoted). `found`: `store.find_speakers(who)`, when known."""
    found = store.find_speakers(who) if found is None else found
    if found:  # "President Trump" is "Trump" with a title: the same choice among the Trumps
        words = [w for w in who.split() if w.casefold() != "the"]
        bare = split_title(" ".join(words))[1] if words and words[0][:1].isupper() else ""
        return called_by(found, bare or who)
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


def speaker_label(speaker: Speaker | SpeakerInfo) -> str:
    """'Kestutis Budrys (Lithuanian Foreign Minister)', or the name alone."""
    return f"{speaker.name} ({speaker.title})" if speaker.title else speaker.name


class QuotationAnswerer:
    """Finds quotation questions and answers them from the store's quotation index, a page at a time."""

    def __init__(self, store: IndexStore, embedder, relevance_threshold: float = RELEVANCE_THRESHOLD,
                 today: Callable[[], date] = date.today):
        self.store = store
        self.embedder = embedder
        self.relevance_threshold = relevance_threshold
        self.today = today  # what "last week" is counted from
        self._vectors = VectorCache(_QUOTE_CACHE_SIZE)

    def match(self, question: str) -> QuotationMatch | None:
        """The speakers and quotations a quotation question asks for (a "more" reaches here already
        read as the question it continues: `QuestionPipeline.start`); None when it is not one, or
        when nobody it could name is quoted (then retrieval answers it)."""
        parsed = parse_quotation_question(question, self.today())
        if parsed is None:
            return None
        found = self.store.find_speakers(parsed.who)
        speakers = resolve_speakers(self.store, parsed.who, found)
        quotations = {s.name: self.store.quotations(s) for s in speakers}
        speakers = [s for s in speakers if quotations[s.name]]
        if not speakers:
            return None
        others = [s for s in found if s not in speakers]
        return QuotationMatch(parsed, speakers, quotations, others)

    def stream(self, turn: Turn) -> Iterator[str | Answer]:
        answer = self.answer(turn)
        yield from text_deltas(answer.answer)
        yield answer

    def answer(self, turn: Turn) -> Answer:
        """A page of the quotations of the speakers the turn's match names (about the topic and in
        the dates asked, when asked), cited, with what the rest holds."""
        match = turn.quoted
        if match is None:
            raise ValueError("QuotationAnswerer answers turns on the quotations route (turn.quoted is set)")
        question = match.question
        sections: list[str] = []
        citations: list[Citation] = []
        passages: dict[str, Passage] = {}
        left, left_paths, next_offset = 0, set(), None
        empty: list[tuple[Speaker, str]] = []  # speakers with nothing in the dates or about the topic
        for speaker in match.speakers:
            quotations = in_timespan(match.quotations[speaker.name], question.when)
            if not quotations:
                empty.append((speaker, self._not_when(speaker, match.quotations[speaker.name], question)))
                continue
            if question.topic:
                with turn.timings.stage("embed_quotations"):
                    scores = self._relevance(question.topic, quotations)
            else:
                scores = [1.0] * len(quotations)
            ranked = [(q, s) for q, s in zip(quotations, scores, strict=True) if s is not None]
            if question.topic:
                ranked.sort(key=lambda qs: -qs[1])  # stable: equally relevant ones stay newest first
            if not ranked:
                empty.append((speaker, load_prompt("quotes_not_about").format(
                    speaker=speaker_label(speaker), topic=question.topic, who=speaker.name)))
                continue
            page = digest_page(ranked, question.offset, PAGE_SIZE)
            section = self._section(speaker, page, question, citations, passages)
            if section:
                sections.append(section)
            if page.remaining:
                left += page.remaining
                left_paths |= {q.path for q, _ in ranked[page.offset + len(page.shown):]}
                next_offset = page.next_offset
        others = list(match.others)
        if sections:  # who said nothing in the dates, or about the topic, is only named at the end
            others += [speaker for speaker, _ in empty]
        else:
            sections = [why for _, why in empty] or [load_prompt("refusal")]
        answering = len(match.speakers) - (len(empty) if citations else 0)
        if answering > 1:
            several = load_prompt("quotes_several_speakers").format(who=question.who, count=answering)
            sections.insert(0, several)
        if others:
            names = ", ".join(f"{s.name} ({_count(s.count, 'quotation')})" for s in others)
            sections.append(load_prompt("quotes_others").format(who=question.who, names=names))
        more = None
        if next_offset:
            who = match.speakers[0].name if answering == 1 and len(match.speakers) == 1 else question.who
            more = MoreQuotations(quotations=left, documents=len(left_paths), offset=next_offset,
                                  ask=replace(question, offset=next_offset).text(who))
        ordered = sorted(passages.values(), key=lambda p: -p.score)
        return Answer(question="", answer="\n\n".join(sections), refused=not citations, citations=citations,
                      passages=ordered, more=more)

    def _not_when(self, speaker: Speaker, quotations: list[StoredQuotation], question: QuotationQuestion) -> str:
        """Why a time filter left nothing: the speaker is quoted, but in documents of other dates."""
        dated = sorted(q.date[:10] for q in quotations if q.date)
        dates = load_prompt("quotes_dated").format(first=dated[0], last=dated[-1]) if dated else load_prompt(
            "quotes_undated")
        when = question.when
        assert when is not None
        return load_prompt("quotes_not_when").format(speaker=speaker_label(speaker), phrase=when.phrase,
                                                     span=when.describe(), dates=dates)

    def _section(self, speaker: Speaker, page: DigestPage, question: QuotationQuestion,
                 citations: list[Citation], passages: dict[str, Passage]) -> str | None:
        """One speaker's page of quotations, grouped by document (in the order of their first
        quotation), each group headed by the document's title and date, each line cited, and a
        count of the rest; citations and passages are appended to."""
        if not page.shown:
            return load_prompt("quotes_no_more").format(speaker=speaker_label(speaker), total=page.total)
        groups = page.by_document()
        about = load_prompt("quotes_about").format(topic=question.topic) if question.topic else ""
        when = load_prompt("quotes_when").format(phrase=question.when.phrase,
                                                 span=question.when.describe()) if question.when else ""
        where = (load_prompt("quotes_documents").format(count=page.documents) if page.documents > 1
                 else f"“{groups[0][0][0].document_title}”")
        lines = [load_prompt("quotes_said").format(speaker=speaker_label(speaker), about=about, when=when,
                                                   where=where)]
        if page.total > len(page.shown):
            lines.append(load_prompt("quotes_page" if len(page.shown) > 1 else "quotes_page_one").format(
                first=page.offset + 1, last=page.offset + len(page.shown), total=page.total,
                order=load_prompt("quotes_by_relevance" if question.topic else "quotes_by_date")))
        for group in groups:
            doc = group[0][0]
            if page.documents > 1 or title_in_document(doc) not in ("", speaker.title):
                lines += ["", self._heading(speaker, doc)]
            for q, score in group:
                markers = self._cite(q, score, citations, passages)
                if markers:
                    text = " ".join(q.text.split())
                    template = load_prompt("quote_direct" if q.kind == "direct" else "quote_reported")
                    lines.append(f"- {template.format(text=text)} {markers}")
        if not any(line.startswith("- ") for line in lines):
            return None  # nothing could be cited (chunks out of step with the quotations): say nothing
        if page.remaining:
            lines += ["", load_prompt("quotes_more").format(
                more=_count(page.remaining, "more quotation"), documents=_count(page.remaining_documents, "document"),
                size=min(PAGE_SIZE, page.remaining))]
        return "\n".join(lines)

    @staticmethod
    def _heading(speaker: Speaker, doc: StoredQuotation) -> str:
        """'Trade talks resume (2026-11-30), as Former President:' for one document's group."""
        date_text = f" ({doc.date})" if doc.date else ""
        title = title_in_document(doc)
        as_title = load_prompt("quotes_as_title").format(title=title) if title and title != speaker.title else ""
        return load_prompt("quotes_document_heading").format(title=doc.document_title, date=date_text,
                                                             as_title=as_title)

    def _cite(self, q: StoredQuotation, score: float, citations: list[Citation],
              passages: dict[str, Passage]) -> str:
        """The quotation's citation markers ("[3][4]" when cut at a chunk end); appends its
        citations, and its chunks to the passages."""
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
        return "".join(markers)

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


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
