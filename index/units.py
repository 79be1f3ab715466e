"""Answer units: the sentences of a chunk, grouped so that a quotation stays whole and with its
speaker. The answerer scores and cites units (assistant/units.py); ingest embeds them once, so a
question embeds only itself.

A unit's vector is stored under the key of its text (`unit_key`): any passage that groups into
the same text finds it, and a unit grouped otherwise (code changed since ingest) is simply not
found and embedded when asked for.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .chunking import split_sentences
from .names import normalise_speaker
from .quotes import Quotation
from .records import QuotationSpan, UnitVectors
from .terms import SPEECH_VERBS

# Words that attribute speech (the quotation extractor's verbs); a quotation continues its
# attribution's unit (see `unit_spans`).
_ATTRIBUTION = re.compile(r"\b(" + "|".join(("say", "according to", *SPEECH_VERBS)) + r")\b", re.IGNORECASE)
# A sentence opening like this leans on the one before ("This statement, made in Munich, ...").
_ANAPHORIC_START = re.compile(r"(This|That|These|Those|It|He|She|They|His|Her|Their|Its)\b")


@dataclass
class UnitSpan:
    """One or more consecutive sentences, by document offsets."""

    start: int
    end: int
    context_start: int | None = None  # where the sentence its opening words point back to starts


def unit_spans(text: str, offset: int, quotations: Sequence[QuotationSpan]) -> list[UnitSpan]:
    """The units of a passage `text` that starts at document offset `offset`, given the direct
    quotations overlapping it (as stored at ingest):

    - a sentence a direct quotation runs on from is joined with it, up to the quotation's end;
    - a quotation with no attribution of its own, by the speaker of the quotation just before in
      the same paragraph, joins it (“We have the intention...,” Budrys said. “But it's time
      sensitive. ...” is one unit);
    - a sentence opening with "This", "He", ... in the same paragraph keeps where the sentence
      before starts, as its context.
    """

    def part(span: UnitSpan) -> str:
        return text[span.start - offset : span.end - offset]

    units: list[UnitSpan] = []
    for sentence in split_sentences(text, offset=offset):
        if units and any(q.start < units[-1].end and q.end > sentence.start for q in quotations):
            units[-1].end = sentence.end  # a quotation runs on into this sentence
            continue
        units.append(UnitSpan(sentence.start, sentence.end))
        if len(units) < 2:
            continue
        last, prev = units[-1], units[-2]
        same_paragraph = text[prev.end - offset : last.start - offset].count("\n") == 0
        opening = next((q for q in quotations if last.start <= q.start <= last.start + 2), None)
        if (
            same_paragraph and opening is not None and not _ATTRIBUTION.search(part(last))
            and any(q.speaker_key == opening.speaker_key and prev.start <= q.start < prev.end for q in quotations)
        ):
            prev.end = last.end
            units.pop()
        elif same_paragraph and _ANAPHORIC_START.match(part(last)):
            last.context_start = prev.start
    return units


def unit_text(text: str) -> str:
    """A unit's text as it is embedded: whitespace runs made one space."""
    return " ".join(text.split())


def unit_key(text: str) -> str:
    """The key a unit's vector is stored under: a hash of its embedded text.

    >>> unit_key("Budrys  said\\nso.") == unit_key("Budrys said so.")
    True
    """
    return hashlib.blake2b(unit_text(text).encode(), digest_size=12).hexdigest()


def answerable(text: str) -> bool:
    """Whether a unit can answer at all: a question in the text ("What are your thoughts?") does not."""
    return not text.rstrip().endswith("?")


def chunk_unit_texts(text: str, start: int, quotations: Sequence[QuotationSpan]) -> list[str]:
    """The embedded texts of a chunk's answering units (distinct, in order), given the document's
    direct quotations (those outside the chunk are ignored)."""
    end = start + len(text)
    inside = [q for q in quotations if q.start < end and q.end > start]
    texts = (unit_text(text[u.start - start : u.end - start]) for u in unit_spans(text, start, inside))
    return list(dict.fromkeys(t for t in texts if t and answerable(t)))


class ChunkLike(Protocol):
    """A chunk as ingest holds it (`Chunk`) or the catalogue gives it back (`StoredChunk`)."""

    @property
    def ordinal(self) -> int: ...

    @property
    def start(self) -> int: ...

    @property
    def text(self) -> str: ...


def direct_spans(quotations: Sequence[Quotation]) -> list[QuotationSpan]:
    """The direct quotations' spans, as the catalogue stores them (`quotation_spans`)."""
    return [QuotationSpan(q.start, q.end, normalise_speaker(q.speaker)) for q in quotations if q.kind == "direct"]


def embed_units(
    documents: Sequence[tuple[Sequence[ChunkLike], Sequence[QuotationSpan]]],
    encode: Callable[[list[str]], np.ndarray],
) -> tuple[list[list[UnitVectors]], int]:
    """The unit vectors of each document's chunks (given with the document's direct quotations),
    and the number of texts embedded: one `encode` call, each distinct text once (overlapping
    chunks share a sentence)."""
    texts = [[(c.ordinal, chunk_unit_texts(c.text, c.start, spans)) for c in chunks] for chunks, spans in documents]
    distinct = list(dict.fromkeys(t for doc in texts for _, unit_texts in doc for t in unit_texts))
    vectors = np.asarray(encode(distinct), dtype=np.float32) if distinct else np.zeros((0, 0), np.float32)
    row = {text: i for i, text in enumerate(distinct)}
    return [
        [UnitVectors(ordinal, tuple(map(unit_key, unit_texts)), vectors[[row[t] for t in unit_texts]])
         for ordinal, unit_texts in doc]
        for doc in texts
    ], len(distinct)
