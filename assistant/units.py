"""Answer units: the sentences of a retrieved passage, grouped so that a quotation stays whole and
with its speaker, each read with the context it leans on (title, the sentence before).

A unit is what an answer cites: its offsets are the document's, so a citation quotes it exactly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from index import QuotationSpan, split_sentences
from index.units import unit_spans


@dataclass
class Unit:
    """One or more consecutive sentences of a passage that are answered with together."""

    passage: Document
    start: int  # offsets in the document
    end: int
    context_start: int | None = None  # where the sentence its opening words point back to starts

    @property
    def context(self) -> str:
        """The text before the unit that it refers to ("This statement, made ..."), or ""."""
        if self.context_start is None:
            return ""
        offset = self.passage.metadata["start"]
        return self.passage.page_content[self.context_start - offset : self.start - offset]

    @property
    def text(self) -> str:
        offset = self.passage.metadata["start"]
        return self.passage.page_content[self.start - offset : self.end - offset]


# Texts -> the vectors stored for those of them that have one.
Lookup = Callable[[list[str]], Mapping[str, np.ndarray]]


class VectorCache:
    """The vectors of the last `size` texts embedded, most recently used kept: the sentences of
    a popular passage are embedded once, not for every question that retrieves it."""

    def __init__(self, size: int):
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, texts: list[str], encode, lookup: Lookup | None = None) -> np.ndarray:
        """The vectors of `texts`, in order: cached ones, then those `lookup` finds among the rest
        (vectors stored at ingest; they join the cache), and the rest computed by `encode`."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        uncached = list(dict.fromkeys(t for t in texts if t not in known))
        # Copies, as below: a stored vector is a view of its chunk's whole row.
        found = {t: v.copy() for t, v in lookup(uncached).items()} if lookup is not None and uncached else {}
        if found:
            known.update(found)
            with self._lock:
                self._vectors.update(found)
                self._bound()
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            # Copies: a row of the batch is a view, which would keep the whole batch's array alive
            # for as long as any one of its rows stays cached, past the size the cache is bounded by.
            fresh = {text: vector.copy() for text, vector in zip(missing, encode(missing), strict=True)}
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                self._bound()
        return np.stack([known[t] for t in texts])

    def _bound(self) -> None:
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)


def unit_context(unit: Unit) -> str:
    """What a unit is read with: its document's title and the sentence it points back to."""
    parts = [unit.passage.metadata.get("title", ""), unit.context]
    return "\n".join(p for p in parts if p)


def unit_neighbours(unit: Unit) -> str:
    """The sentences just before and after a unit in its passage (a name is often given once, a
    sentence earlier)."""
    offset = unit.passage.metadata["start"]
    text = unit.passage.page_content
    before = text[max(0, unit.start - offset - 300) : unit.start - offset]
    after = text[unit.end - offset : unit.end - offset + 300]
    previous = [before[s.start : s.end] for s in split_sentences(before)[-1:]] if before.strip() else []
    following = [after[s.start : s.end] for s in split_sentences(after)[:1]] if after.strip() else []
    return "\n".join(p for p in [*previous, *following] if p)


def group_units(passage: Document) -> list[Unit]:
    """Sentences of a passage, merged so that a quotation stays whole and with its speaker, by the
    quotation spans stored at ingest (`metadata["quotations"]`, as the retriever gives them); see
    `index.units.unit_spans`."""
    quotations: list[QuotationSpan] = list(passage.metadata.get("quotations") or ())
    return [
        Unit(passage, span.start, span.end, span.context_start)
        for span in unit_spans(passage.page_content, passage.metadata["start"], quotations)
    ]


def dedupe_units(units: list[Unit]) -> list[Unit]:
    """Overlapping passages repeat sentences: keep one unit per document position (the longest)."""
    best: dict[tuple[str, int], Unit] = {}
    for unit in units:
        key = (unit.passage.metadata["path"], unit.start)
        if key not in best or unit.end > best[key].end:
            best[key] = unit
    return list(best.values())
