"""What the answerer compares by the model's vectors, embedded at ingest so that a question embeds
only itself: the vectors of each chunk's answer units (index/units.py), and of the words of the
chunks (`evidence_words`: the support check's soft word matches), each word once in the index's
life. An index built before they were stored gets them at its next ingest (`embed_backlog`),
from its stored chunks: no chunk is embedded again."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence

import numpy as np

from .records import QuotationSpan, UnitVectors
from .store import IndexStore
from .terms import evidence_words
from .units import ChunkLike, embed_units

log = logging.getLogger("index.ingest")

Encode = Callable[[list[str]], np.ndarray]
ChunksWithQuotations = tuple[Sequence[ChunkLike], Sequence[QuotationSpan]]  # a document's
Write = Callable[..., None]  # runs a store write: at once, or queued on ingest's writer thread


class AnswerVectors:
    """Embeds the units and words of the chunks one ingest run writes, and counts them."""

    def __init__(self, store: IndexStore, encode: Encode):
        self.store, self.encode = store, encode
        self.units_embedded = 0  # distinct unit texts
        self.words_embedded = 0  # words new to the index
        self._seen: set[str] = set()  # words this run has looked up or embedded

    def units(self, documents: Sequence[ChunksWithQuotations]) -> list[list[UnitVectors]]:
        """Each document's chunks' unit vectors (given with the document's direct quotations)."""
        units, count = embed_units(documents, self.encode)
        self.units_embedded += count
        return units

    def words(self, texts: Sequence[str], write: Write) -> None:
        """Embed the words of `texts` that the index has no vector for, and store them by `write`."""
        words = [w for w in dict.fromkeys(w for text in texts for w in evidence_words(text)) if w not in self._seen]
        self._seen.update(words)
        known = self.store.known_words(words)
        fresh = [w for w in words if w not in known]
        if fresh:
            write(self.store.write_word_vectors, fresh, self.encode(fresh))
            self.words_embedded += len(fresh)


def embed_backlog(store: IndexStore, vectors: AnswerVectors, batch_chunks: int, doing: Callable[[str], None]) -> int:
    """Give the documents of the unit backlog (indexed before unit vectors were stored, or whose
    quotations changed since) their unit and word vectors, from the catalogue's chunks; returns
    how many documents were brought up to date."""
    backlog = store.unit_backlog()
    if not backlog:
        return 0
    log.info("embedding the sentences and words of %d documents indexed without them", len(backlog))
    records = {r.path: r for r in store.documents()}
    batches: list[list[str]] = [[]]
    size = 0
    for path in (p for p in backlog if p in records):
        if batches[-1] and size + records[path].chunks > batch_chunks:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += records[path].chunks
    upgraded = 0
    for paths in (b for b in batches if b):
        chunks = {path: store.chunks_covering(path, 0, sys.maxsize) for path in paths}
        spans = store.quotation_spans(paths)
        doing(f"embedding the sentences of {sum(map(len, chunks.values()))} chunks indexed without them")
        units = vectors.units([(chunks[p], spans[p]) for p in paths])
        vectors.words([c.text for p in paths for c in chunks[p]], lambda fn, *args: fn(*args))
        upgraded += store.write_units(
            [(path, records[path].sha256, doc_units) for path, doc_units in zip(paths, units, strict=True)]
        )
    return upgraded
