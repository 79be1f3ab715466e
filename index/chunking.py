"""Split text into sentences and documents into overlapping chunks, keeping character offsets.

Offsets always point into `Document.text`, so `text[start:end]` gives back a chunk or a sentence
exactly. Sentence splitting is rule-based: it knows common abbreviations ("U.S.", "Dr.", "e.g.")
and initials, and treats a line break as a boundary; it does not try to parse nested structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Document

# Lower-cased, without the final period. A period after one of these does not end a sentence.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm gov sen rep pres rev hon
    u.s u.k u.n e.u u.s.a e.g i.e etc vs cf al approx dept inc ltd co corp bros vol
    jan feb mar apr jun jul aug sep sept oct nov dec fig pp a.m p.m
    """.split()
)

# A candidate boundary: terminal punctuation, any closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？]+")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NUMBER_SIGN = re.compile(r"(?<![\w.])(?:No|no|Nos|nos)\.$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    doc_sha: str
    ordinal: int
    start: int
    end: int
    text: str


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentence spans of `text`, as offsets (shifted by `offset`), whitespace trimmed.

    >>> t = "The U.S. And its allies agreed. Budrys said so."
    >>> [t[s.start:s.end] for s in split_sentences(t)]
    ['The U.S. And its allies agreed.', 'Budrys said so.']
    """
    spans: list[Span] = []
    line_start = 0
    for line in text.split("\n"):
        spans.extend(_split_line(line, offset + line_start))
        line_start += len(line) + 1
    return spans


def _split_line(line: str, offset: int) -> list[Span]:
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        end = match.end()
        if match.group().startswith((".",)) and _is_abbreviation(line[start : match.start() + 1]):
            continue
        if _NUMBER_SIGN.search(line, max(0, match.start() - 3), match.end()) and line[end:].lstrip()[:1].isdigit():
            continue  # "the No. 2 reactor", "Nos. 4 and 5"
        if not _next_starts_sentence(line, end):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(line)))
    result = []
    for s, e in spans:
        piece = line[s:e]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            result.append(Span(offset + s + lead, offset + s + lead + len(stripped)))
    return result


def _is_abbreviation(text_to_period: str) -> bool:
    match = _WORD_BEFORE.search(text_to_period)
    if not match:
        return False
    word = match.group(1).lstrip("\"'“‘([").rstrip(".").lower()
    # Single initials ("J. K. Rowling") and known abbreviations.
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _next_starts_sentence(line: str, end: int) -> bool:
    rest = line[end:].lstrip()
    if not rest:
        return True
    first = rest[0]
    return first.isupper() or first.isdigit() or first in "\"'“‘«([" or not first.isascii() and not first.islower()


# The default chunk shape (Settings.chunk_words / chunk_overlap_sentences start from these).
CHUNK_WORDS, OVERLAP_SENTENCES = 120, 1


def chunk_document(
    doc: Document, max_words: int = CHUNK_WORDS, overlap_sentences: int = OVERLAP_SENTENCES
) -> list[Chunk]:
    """Group consecutive sentences into chunks of at most `max_words` words (a longer sentence is
    cut at word boundaries), each chunk repeating the last `overlap_sentences` of the one before."""
    units = [u for s in split_sentences(doc.text) for u in _cut_long(doc.text, s, max_words)]
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, words = i, 0
        while j < len(units) and (j == i or words + _words(doc.text, units[j]) <= max_words):
            words += _words(doc.text, units[j])
            j += 1
        start, end = units[i].start, units[j - 1].end
        chunks.append(Chunk(doc.sha256, len(chunks), start, end, doc.text[start:end]))
        if j >= len(units):
            break
        # Overlap, but never so much that the next chunk could not take a new sentence.
        i = max(i + 1, j - overlap_sentences)
        while i < j and sum(_words(doc.text, u) for u in units[i : j + 1]) > max_words:
            i += 1
    return chunks


def _words(text: str, span: Span) -> int:
    return len(text[span.start : span.end].split())


def _cut_long(text: str, span: Span, max_words: int) -> list[Span]:
    words = list(re.finditer(r"\S+", text[span.start : span.end]))
    if len(words) <= max_words:
        return [span]
    pieces = []
    for k in range(0, len(words), max_words):
        group = words[k : k + max_words]
        pieces.append(Span(span.start + group[0].start(), span.start + group[-1].end()))
    return pieces
