"""`extract_quotations`: a text's direct and reported quotations, each with its speaker."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..chunking import split_sentences
from .attribution import attribute_direct
from .continuation import continue_quotes
from .pronouns import resolve_pronouns
from .reported import reported
from .rules import VERB
from .spans import QuotedText, Said


@dataclass(frozen=True)
class Quotation:
    text: str  # exactly document_text[start:end]
    start: int
    end: int
    speaker: str  # canonical name: the fullest form seen in the document
    forms: tuple[str, ...]  # forms of the speaker's name seen in the document, canonical first
    kind: str  # "direct" or "reported"
    title: str = ""  # e.g. "Prime Minister", when seen before the name


# After a quote inside a reported clause: "but warned (that)", "and predicted that".
# Not an exhortation: "and urged residents to attend" is no statement of what is so.
_THEN_SAID = re.compile(
    rf"\s*,?\s*(?:but|and)\s+(?:also\s+)?(?:{VERB})\s+(?:that\s+|(?!(?:[a-z]+\s+){{1,3}}?to\s))(?=\S+(?:\s+\S+){{2,}})")
# Or the clause goes on, with no comma: "the increase was “unavoidable” and would raise $18 million",
# "... “somewhat elevated” and that risks were balanced"; but not narration about the speaker ("and
# was booed by supporters as he left"), nor "and that prompted Ruiz to resign".
_GOES_ON = re.compile(
    r"\s*(?:but|and)\s+(?:that\s+(?!(?:[a-z]+ed|was|were|is|are|had|has|would|will)\b)"
    r"|(?=(?:would|will|could|can|may|might|should|had|has|have|was|were|is|are)\s))(?=\S+(?:\s+\S+){2,})")
# A second "that" clause of the same verb further on: "... and that it would support ...".
_AND_THAT = re.compile(  # not "and that prompted Ruiz to resign": "that" as the subject
    r"(?:,\s*)?\band\s+that\s+(?!(?:[a-z]+ed|was|were|is|are|had|has|would|will)\b)(?=\S+(?:\s+\S+){2,})")
_NARRATION = re.compile(
    r"(?:was|were|is|are)\s+\w+(?:ed|en)\b(?:\s+\S+){0,3}?\s+by\b|(?:\S+\s+){0,5}?(?:he|his|him|she|her|they|their)\b")


def _second_statement(text: str, start: int, end: int) -> int | None:
    """Where a second statement of the same speaker starts in text[start:end], if one does."""
    m = _THEN_SAID.match(text, start, end)
    if m:
        return m.end()
    if (later := _AND_THAT.search(text, start, end)) and not re.search(r"[“”\"]", text[start:later.start()]):
        return later.end()  # "... was “a model” for private collections and that it would support ..."
    m = _GOES_ON.match(text, start, end)
    if m and not m.group().rstrip().endswith("that") and _NARRATION.match(text, m.end(), end):
        return None  # "... and was booed by supporters as he left"
    return m.end() if m else None


def _without_inner_quotes(doc: QuotedText, item: Said, absorbed: set[int]) -> Said | None:
    """A reported clause, unless a direct quote inside it says it better; but a second statement
    after that quote ("... “turned the corner” but warned against cutting too soon") stays. A
    clause that says much before its first quoted words ("her body could no longer “take the
    weeks on the road”") stays whole, and takes in its quotes of the same speaker (their ids go to
    `absorbed`)."""
    inner = [s for s in doc.spans if s.speaker and s.start < item.end and item.start < s.end]
    if not inner:
        return item
    first = min(inner, key=lambda s: s.open_mark)
    head = re.sub(r"\s*(?:that)?\s*$", "", doc.text[item.start:first.open_mark])
    if len(head.split()) >= 4 and all(s.speaker == item.speaker for s in inner) and first.open_mark > item.start:
        absorbed.update(id(s) for s in inner)
        return item
    start = _second_statement(doc.text, max(s.close_mark for s in inner), item.end)
    return None if start is None else Said(start, item.end, kind="reported", speaker=item.speaker)


def extract_quotations(text: str) -> list[Quotation]:
    """Direct and reported quotations of `text` with their speakers, sorted by start.

    >>> [(q.text, q.speaker, q.kind) for q in extract_quotations('"We will win," coach Ana Diaz said.')]
    [('We will win', 'Ana Diaz', 'direct')]
    """
    doc = QuotedText(text)
    for p, spans in enumerate(doc.spans_by_paragraph):
        for k in range(len(spans)):
            attribute_direct(doc, p, k)
    sentences = [s for lo, hi in doc.paragraphs for s in split_sentences(text[lo:hi], lo)]
    statements = [r for s in sentences if (r := reported(doc, s.start, s.end))]
    resolve_pronouns(doc, [*doc.spans, *statements])
    continue_quotes(doc)

    quotations = []
    absorbed: set[int] = set()  # direct quotes inside a reported clause kept whole
    reported_items = [_without_inner_quotes(doc, said, absorbed) for said in statements]
    for item in [*(s for s in doc.spans if id(s) not in absorbed), *reported_items]:
        if item is None or item.speaker is None:
            continue
        person = doc.people.people[item.speaker]
        quotations.append(Quotation(
            text[item.start:item.end], item.start, item.end, person.name, tuple(person.forms), item.kind, person.title,
        ))
    return sorted(quotations, key=lambda q: (q.start, q.end))
