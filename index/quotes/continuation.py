"""A quote with no attribution of its own that continues the speaker of the quote before it
("“We will act,” Ana Diaz said. “It is time.”"), unless someone else is named in between."""

from __future__ import annotations

import re

from ..names import NAME_RUN_PATTERN, split_title
from .lexicon import NEWS_OUTLETS, OUTLET_NAME
from .spans import QuotedText, Said

_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|outside|inside|on|from|to|of|for|with)\s+(?:the\s+)?$")
# Before the organisation a person works for: "a trader at Accra-based Sika Commodities".
_EMPLOYER_BEFORE = re.compile(r"\b(?:at|with)\s+(?:[A-Z][\w]*-(?:based|listed|owned)\s+)?$")


def _names_in(doc: QuotedText, *ranges: tuple[int, int]) -> list[str]:
    """The names in the text's ranges, but a lone unknown word after "in"/"near" ("who was lifted
    from her cottage in Lowmere"): a place, no one who could be speaking instead."""
    return [m.group() for lo, hi in ranges for m in NAME_RUN_PATTERN.finditer(doc.text, lo, hi)
            if split_title(m.group())[1] and not doc.people.organisation(m.group()) and not (
                (" " not in m.group() and _PLACE_BEFORE.search(doc.text, max(0, m.start() - 12), m.start())
                 or _EMPLOYER_BEFORE.search(doc.text, max(0, m.start() - 30), m.start()))
                and doc.people.find(m.group()) is None)]


def _only_told(doc: QuotedText, between: str, name: str, speaker: str) -> bool:
    """Whether `name` is only who the quote's own speaker told it to, no person: "...,” she told
    Reuters. “..." (not "His lawyer told Reuters", nor "Judge Ruiz told Tom Hale")."""
    person = doc.people.find(name)
    if not (person and doc.people.is_organisation(person.name)) and name.casefold() not in NEWS_OUTLETS and not (
            re.search(OUTLET_NAME, name)):
        return False  # "Judge Ruiz told Tom Hale", "Hale told Ruiz": a person, who may answer
    surname = re.escape(speaker.split()[-1])
    return bool(re.match(  # in the quote's own attribution, before any full stop: not "His wife ...; she told Reuters"
        rf"[,\s]*(?:[^.!?;“”\"]{{0,60}}?\b)?(?:he|she|{surname})\s+told\s+(?:the\s+)?{re.escape(name)}\b", between))


# The apposition after a speaker's name in their own attribution: "said Carolina Ibáñez, head of the
# exporters' group Frutas del Pacífico." or "Nino Beridze, who has run the company since 2019, told".
_APPOSITION = re.compile(  # also ", 29, a hygienist"; not a clause of its own (", but her deputy, X, disagreed")
    r",\s+(?!(?:but|and|or|as|while|whose|when|whereas|although|though|because|before|after|until|then|so)\b)"
    r"(?:who\b|[a-z]|\d|[A-Z][\w\-]*['’]s\s)[^.!?;“”\"]*")


def _described(doc: QuotedText, before: Said, hi: int) -> tuple[int, int]:
    """The range of the apposition after the name that attributed `before` (empty if none): the
    names in it say who the speaker is, and none of them speaks the next quote."""
    name = NAME_RUN_PATTERN.match(doc.text, before.name_at) if before.attribution == "person" else None
    m = _APPOSITION.match(doc.text, name.end(), hi) if name else None
    return (m.start(), m.end()) if m else (before.name_at, before.name_at)


def continue_quotes(doc: QuotedText) -> None:
    """A quote with no attribution of its own that opens a sentence continues the speaker of the
    quote before it in the paragraph (or of the previous paragraph's unclosed quote), unless
    someone else is named in between or right after it ("..." Luther snapped)."""
    carried: Said | None = None  # an unclosed quote ending the previous paragraph
    for p, spans in enumerate(doc.spans_by_paragraph):
        for k, (before, span) in enumerate(zip([carried, *spans], spans, strict=False)):
            if span.attribution or before is None or before.speaker is None:
                continue
            between = doc.text[before.close_mark:span.open_mark]
            after_hi = spans[k + 1].open_mark if k + 1 < len(spans) else doc.paragraphs[p][1]
            after = re.split(r"[.!?;]", doc.text[span.close_mark:after_hi], maxsplit=1)[0]
            # not the words before the name in the quote's own attribution ("Bulls coach Johan van Wyk said")
            own = before.name_at if before.close_mark <= before.name_at < span.open_mark else before.close_mark
            lo, hi = _described(doc, before, span.open_mark) if own == before.name_at else (own, own)
            names = [n for n in _names_in(doc, (own, lo), (hi, span.open_mark),
                                          (span.close_mark, span.close_mark + len(after)))
                     if not _only_told(doc, between, n, before.speaker)]
            if ((not between.strip() or re.search(r"[.!?…]\s*$", between))
                    and len(doc.text[span.start:span.end].split()) >= 3
                    and all(getattr(doc.people.find(n), "name", None) == before.speaker for n in names)):
                span.speaker, span.attribution = before.speaker, "continued"
        carried = spans[-1] if spans and not spans[-1].closed else None
