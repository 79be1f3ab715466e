"""`extract_quotations`: a text's direct and reported quotations, each with its speaker."""

from __future__ import annotations

from dataclasses import dataclass

from ..chunking import split_sentences
from .attribution import attribute_direct, continue_quotes, reported, resolve_pronouns
from .spans import QuotedText


@dataclass(frozen=True)
class Quotation:
    text: str  # exactly document_text[start:end]
    start: int
    end: int
    speaker: str  # canonical name: the fullest form seen in the document
    forms: tuple[str, ...]  # forms of the speaker's name seen in the document, canonical first
    kind: str  # "direct" or "reported"
    title: str = ""  # e.g. "Prime Minister", when seen before the name


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
    for item in [*doc.spans, *statements]:
        if item.speaker is None:
            continue
        if item.kind == "reported" and any(s.speaker and s.start < item.end and item.start < s.end for s in doc.spans):
            continue  # a direct quote inside the clause says it better
        person = doc.people.people[item.speaker]
        quotations.append(Quotation(
            text[item.start:item.end], item.start, item.end, person.name, tuple(person.forms), item.kind, person.title,
        ))
    return sorted(quotations, key=lambda q: (q.start, q.end))
