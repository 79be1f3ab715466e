"""A prolific speaker's quotations a page at a time: the digest behind "What did Trump say?",
`assistant quotes`, and GET /api/speakers/{name}/quotes.

Quotations are ranked (by relevance to the question's "about Y", else newest document first, in
document order within one), cut into pages of `PAGE_SIZE`, and each page is grouped by document,
headed by its title and date. What the page leaves out is counted ("93 more quotations in 12
documents") so the reader knows there is more and how to ask for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from index import Speaker, StoredQuotation, role_label

from .errors import QuestionError
from .timespans import Timespan

PAGE_SIZE = 10  # quotations in one chat message, CLI page or API page (unless a limit is given)
MAX_PAGE_SIZE = 1000  # the most an API or CLI page may ask for


@dataclass(frozen=True)
class DigestPage:
    """One page of a speaker's ranked quotations, and what the rest holds."""

    shown: list[tuple[StoredQuotation, float]]  # in rank order
    total: int  # quotations ranked (after the topic and time filters)
    documents: int  # documents they are in
    offset: int  # rank of the first shown (0-based)
    remaining: int  # ranked after this page
    remaining_documents: int  # documents holding those (shown on this page or not)

    @property
    def next_offset(self) -> int | None:
        return self.offset + len(self.shown) if self.remaining else None

    def by_document(self) -> list[list[tuple[StoredQuotation, float]]]:
        """The shown quotations grouped by document, documents in the order of their first."""
        groups: dict[str, list[tuple[StoredQuotation, float]]] = {}
        for q, score in self.shown:
            groups.setdefault(q.path, []).append((q, score))
        return list(groups.values())


def digest_page(ranked: Sequence[tuple[StoredQuotation, float]], offset: int = 0,
                size: int = PAGE_SIZE) -> DigestPage:
    """The page of `ranked` starting at `offset`.

    >>> q = lambda path, n: StoredQuotation(path, path, path, None, n, "A B", "a b", (), "", "direct", n, n + 1, "x")
    >>> page = digest_page([(q("d1", 0), 1.0), (q("d1", 1), 1.0), (q("d2", 0), 1.0)], size=2)
    >>> len(page.shown), page.remaining, page.remaining_documents, page.next_offset
    (2, 1, 1, 2)
    """
    offset = max(0, offset)
    shown = list(ranked[offset : offset + size])
    rest = ranked[offset + len(shown) :]
    return DigestPage(
        shown=shown, total=len(ranked), documents=len({q.path for q, _ in ranked}), offset=offset,
        remaining=len(rest), remaining_documents=len({q.path for q, _ in rest}),
    )


def in_timespan(quotations: list[StoredQuotation], when: Timespan | None) -> list[StoredQuotation]:
    """The quotations from documents dated within `when` (all of them when no time is asked)."""
    return quotations if when is None else [q for q in quotations if when.holds(q.date)]


def title_in_document(q: StoredQuotation) -> str:
    """The speaker's title in the quotation's document: as the document gave it ("Former President"),
    else the role label their name opened with there ("Defendant" in "Defendant Donald J. Trump")."""
    return q.title or role_label(q.speaker)[0]


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
    speaker_title: str = ""  # the speaker's title in this document ("Former President"), or ""
    quotations: list[QuotationInfo]


class SpeakerQuotes(SpeakerInfo):
    """One page of a speaker's quotations: `by_document` newest document first (undated last),
    quotations in document order; `total` counts those in the asked dates (all, when none)."""

    offset: int = 0  # of the first quotation on this page, among `total`
    total: int = 0
    remaining: int = 0  # after this page
    remaining_documents: int = 0
    next_offset: int | None = None  # where the next page starts; None on the last
    by_document: list[QuotedDocument]


def speaker_info(speaker: Speaker) -> SpeakerInfo:
    return SpeakerInfo(name=speaker.name, title=speaker.title, forms=list(speaker.forms), quotations=speaker.count,
                       documents=speaker.documents)


def speaker_quotes(speaker: Speaker, quotations: list[StoredQuotation], offset: int = 0,
                   limit: int = PAGE_SIZE, when: Timespan | None = None) -> SpeakerQuotes:
    """One page of a speaker's quotations (as the store lists them: newest document first)."""
    page = digest_page([(q, 1.0) for q in in_timespan(quotations, when)], offset, limit)
    documents = []
    for group in page.by_document():
        doc = group[0][0]
        documents.append(QuotedDocument(
            source=doc.source, title=doc.document_title, date=doc.date, speaker_title=title_in_document(doc),
            quotations=[QuotationInfo(text=q.text, kind=q.kind, start=q.start, end=q.end) for q, _ in group],
        ))
    return SpeakerQuotes(
        **speaker_info(speaker).model_dump(), offset=page.offset, total=page.total, remaining=page.remaining,
        remaining_documents=page.remaining_documents, next_offset=page.next_offset, by_document=documents,
    )


def page_offset(offset: int | None, page: int | None, limit: int) -> int:
    """The offset a listing starts at: `offset`, or page `page` (from 1) of `limit`; a QuestionError
    for both at once, a negative offset, a page below 1 or a limit out of 1..MAX_PAGE_SIZE.

    >>> page_offset(None, 3, 10), page_offset(25, None, 10), page_offset(None, None, 10)
    (20, 25, 0)
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise QuestionError(f"limit must be 1 to {MAX_PAGE_SIZE} quotations a page, not {limit}.")
    if offset is not None and page is not None:
        raise QuestionError("Give either offset or page, not both: page N starts at offset (N-1) * limit.")
    if offset is not None and offset < 0:
        raise QuestionError(f"offset counts quotations from 0; {offset} is below it.")
    if page is not None and page < 1:
        raise QuestionError(f"Pages are counted from 1; there is no page {page}.")
    return offset if offset is not None else ((page or 1) - 1) * limit


def date_range(since: date | None, until: date | None) -> Timespan | None:
    """The documents' dates a listing asks for (`since` and `until` both included), or None for all."""
    if since is None and until is None:
        return None
    if since and until and since > until:
        raise QuestionError(f"since ({since}) is after until ({until}): no date is in between.")
    first, last = since or date.min, until or date.max
    return Timespan(first, last, dates_phrase(since, until), "")


def dates_phrase(since: date | None, until: date | None) -> str:
    """'from 2026-01-01 until 2026-03-31', either part alone, or '' for neither."""
    return " ".join(part for part in (f"from {since}" if since else "", f"until {until}" if until else "") if part)
