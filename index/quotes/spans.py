"""Where the quotes of a text are: paragraphs, the spans between quote marks (straight, curly,
guillemets; single quotes outside double ones), and the sentence starts the rules look back to."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..chunking import split_sentences
from .people import People

_DOUBLE_MARKS = re.compile(r"[“”«»„\"]")
_SINGLE_OPEN = re.compile(r"(?<![\w'’])['‘](?=[^\W\d_])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?…])['’](?!\w)")


@dataclass
class Said:
    """A direct quote span or a reported clause, and what we know of its speaker."""

    start: int  # of the quoted words, inside the marks
    end: int
    kind: str = "direct"
    open_mark: int = 0  # position of the opening mark (== start when the paragraph starts inside a quote)
    close_mark: int = 0  # position just after the closing mark (== end when unclosed)
    closed: bool = True
    speaker: str | None = None
    attribution: str = ""  # "person", "pronoun", "continued", or "other" (a speaker who is not a person)
    name_at: int = -1  # where the attributing name or pronoun starts


class QuotedText:
    """One text with its people, paragraphs, quote spans (by paragraph and all together) and sentence starts."""

    def __init__(self, text: str):
        self.text = text
        self.people = People(text)
        self.paragraphs = paragraphs(text)
        self.spans_by_paragraph: list[list[Said]] = []
        for lo, hi in self.paragraphs:
            doubles = _double_quote_spans(text, lo, hi)
            spans = doubles + _single_quote_spans(text, lo, hi, doubles)
            self.spans_by_paragraph.append(sorted(spans, key=lambda s: s.start))
        self.spans = [s for spans in self.spans_by_paragraph for s in spans]
        self.sentence_starts = [s.start for lo, hi in self.paragraphs for s in split_sentences(text[lo:hi], lo)]
        self.paragraph_starts = frozenset(lo for lo, _ in self.paragraphs)
        self._marks = [s.open_mark for s in self.spans]

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self._marks, pos) - 1
        return i >= 0 and self.spans[i].open_mark <= pos < self.spans[i].close_mark

    def in_lead(self, pos: int) -> bool:
        """Whether `pos` is in the first of several paragraphs: a wire story's lead, whose "the
        company said" is often named only in the paragraph after."""
        return len(self.paragraphs) > 1 and pos <= self.paragraphs[0][1]

    def sentence_start(self, pos: int) -> int:
        return self.sentence_starts[max(0, bisect_right(self.sentence_starts, pos) - 1)] if self.sentence_starts else 0


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line.

    >>> paragraphs("One.\\n\\nTwo.")
    [(0, 4), (6, 10)]
    """
    bounds, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            bounds.append((pos, pos + len(line)))
        pos += len(line) + 1
    return bounds


def _double_quote_spans(text: str, lo: int, hi: int) -> list[Said]:
    """Top-level double-quoted spans of one paragraph, text[lo:hi]; nested ones stay inside."""
    marks = []  # (position, opens)
    for m in _DOUBLE_MARKS.finditer(text, lo, hi):
        i, ch = m.start(), m.group()
        if ch != '"':
            marks.append((i, ch in "“«„"))
            continue
        # A straight mark opens after a space or a bracket, and closes after a word or punctuation.
        before, after = text[i - 1] if i > lo else " ", text[i + 1] if i + 1 < hi else " "
        if not (before.isspace() and after.isspace()):
            opening_single = before == "'" and (i - 2 < lo or text[i - 2].isspace() or text[i - 2] in "([{")
            marks.append((i, before.isspace() or before in "([{—–-“‘" or opening_single))  # not ",'\"" closing both
    curly = [opens for i, opens in marks if text[i] != '"']
    straight = [(i, opens) for i, opens in marks if text[i] == '"']
    # A snippet cut mid-quote starts with a closing mark: its quote began before the paragraph.
    starts_inside = (curly and not curly[0]) or (
        not curly and straight and not straight[0][1] and not text[max(lo, straight[0][0] - 1)].isdigit())  # 35' 00"
    spans, depth, start = [], int(bool(starts_inside)), lo
    for i, opens in marks:
        if opens:
            start = i if depth == 0 else start
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append(_quote_span(text, start, i + 1, closed=True))
    if depth:
        spans.append(_quote_span(text, start, hi, closed=False))
    return [s for s in spans if s.end > s.start]


def _single_quote_spans(text: str, lo: int, hi: int, doubles: list[Said]) -> list[Said]:
    """'...' spans of one paragraph outside its double-quoted ones (apostrophes never pair up)."""
    spans = []
    edges = [lo, *(m for s in doubles for m in (s.open_mark, s.close_mark)), hi]
    for a, b in zip(edges[::2], edges[1::2], strict=False):
        while (m := _SINGLE_OPEN.search(text, a, b)) and (close := _SINGLE_CLOSE.search(text, m.end(), b)):
            spans.append(_quote_span(text, m.start(), close.end(), closed=True))
            a = close.end()
    return [s for s in spans if s.end > s.start]


def _quote_span(text: str, open_mark: int, close_mark: int, closed: bool) -> Said:
    start = open_mark + 1 if text[open_mark] in "“«„\"'‘" else open_mark
    end = close_mark - 1 if closed else close_mark
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return Said(start, end, open_mark=open_mark, close_mark=close_mark, closed=closed)
