"""The catalogue's interface: what `IndexStore` needs from the database beside the vectors.

The catalogue holds the manifest of documents (by path and content hash), every chunk's text and
offsets with a lexical (BM25) search over them, the vectors of each chunk's answer units and of
the words of all chunks, the quotations found in each document, and the journal of documents being written.
`SQLiteCatalogue` is the default; `PostgresCatalogue` (postgres.py) implements this Protocol for
many hosts and is passed to `IndexStore(catalogue=...)`. A backend whose `shared` attribute is
True is written by several processes on several hosts at once: it gives the store its writer
lock (`writer_lock()`, with per-document claims) instead of the index directory's.

Rules every backend keeps: a document's chunks, unit vectors, quotations and manifest row change
together, in one transaction (`store_document`, `store_facts`, `store_units`, `delete_document`);
readers never see half of one; journal writes are durable before the vectors they announce are
written.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

import numpy as np

from ..chunking import Chunk
from ..documents import Document
from ..records import (
    ChunkToEmbed,
    DocumentFacts,
    DocumentRecord,
    QuotationSpan,
    SpeakerRow,
    StoredChunk,
    StoredQuotation,
    UnitVectors,
)


class Catalogue(Protocol):
    # -- documents and chunks --------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        """Every indexed document, by source."""
        ...

    def document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id (`records.document_id`), or None."""
        ...

    def documents_of(self, chunk_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        """chunk_id -> its document, for the committed chunks among `chunk_ids`."""
        ...

    def document_text(self, path: str) -> str | None:
        """The document's text as it was loaded (offsets point into it), or None when not indexed.
        A document indexed before texts were stored gets its chunks at their offsets, blanks between."""
        ...

    def rename_source(self, path: str, source: str) -> None:
        """Set how the document is shown to people (its content is unchanged)."""
        ...

    def document_hashes(self) -> dict[str, str]:
        """path -> sha256 of every indexed document."""
        ...

    def document_sha(self, path: str) -> str | None:
        """The sha256 of the document indexed at `path`, or None."""
        ...

    def document_count(self) -> int: ...

    def indexed_paths(self, paths: Sequence[str]) -> set[str]:
        """The paths among `paths` that have an indexed document."""
        ...

    def chunk_count(self) -> int: ...

    def is_empty(self) -> bool: ...

    def chunk_ids(self) -> set[str]: ...

    def sample_texts(self, limit: int) -> list[str]:
        """Up to `limit` chunk texts, spread over the documents (the first chunks of each)."""
        ...

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Committed chunks among `ids`."""
        ...

    def chunks_to_embed(self, ids: Sequence[str]) -> list[ChunkToEmbed]:
        """The chunks among `ids`, with their documents' titles and hashes, by path and ordinal."""
        ...

    def document_lead(self, path: str) -> str:
        """The text of the document's first chunk ("" if none)."""
        ...

    def chunks_covering(self, path: str, start: int, end: int) -> list[StoredChunk]:
        """The document's chunks overlapping [start, end), by start."""
        ...

    def lexical_search(self, terms: Sequence[str], k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score; higher is better) of chunks holding any of `terms`, best first."""
        ...

    def unit_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """text key -> vector of the answer units of these chunks (index/units.py), as embedded at ingest."""
        ...

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """word -> the model's vector of it, for the words among `words` that ingest embedded
        (`index.terms.evidence_words` of every chunk)."""
        ...

    def known_words(self, words: Sequence[str]) -> set[str]:
        """The words among `words` that have a stored vector."""
        ...

    def generation(self) -> int:
        """A number that `next_generation` moves after every write of vectors (by any process)."""
        ...

    def next_generation(self) -> None:
        """Move the generation: vectors were written (readers of an on-disk Chroma open it again)."""
        ...

    def unit_backlog(self) -> list[str]:
        """Paths of indexed documents whose unit vectors are not stored (indexed before they were,
        or their quotations changed since)."""
        ...

    # -- quotations ------------------------------------------------------------------------------

    def quotation_count(self) -> int: ...

    def quotation_backlog(self) -> set[str]:
        """Paths of indexed documents whose quotations were never extracted."""
        ...

    def speaker_rows(self, surname: str | None = None, title: str | None = None) -> list[SpeakerRow]:
        """Quotation counts by speaker form and document: all of them, or those sharing a surname
        key with a quotation whose surname key is `surname`, or whose title key is `title` or ends
        with " " + `title`."""
        ...

    def titled_speaker_keys(self, title: str) -> set[str]:
        """Speaker keys of quotations whose title key is `title` or ends with " " + `title`."""
        ...

    def quotation_spans(self, paths: Collection[str]) -> dict[str, list[QuotationSpan]]:
        """The direct quotations of these documents as (start, end, speaker key), in document order."""
        ...

    def quotations_of(self, speaker_keys: Collection[str]) -> list[StoredQuotation]:
        """Quotations of these speaker keys: newest dated document first, then by source and position."""
        ...

    # -- writing ---------------------------------------------------------------------------------

    def journal_add(self, entries: Sequence[tuple[str, str | None]]) -> None:
        """Record (path, sha256 or None for a removal) as in flight, before its vectors change."""
        ...

    def journal_done(self, path: str, sha256: str | None) -> None:
        """Drop the path's entry for `sha256` (all of the path's entries when None)."""
        ...

    def journal_pending(self) -> list[str]:
        """Distinct paths in the journal."""
        ...

    def journal_clear(self) -> None: ...

    def store_document(
        self, doc: Document, chunks: Sequence[Chunk], facts: DocumentFacts, ingested_at: float,
        units: Sequence[UnitVectors] | None = None,
    ) -> None:
        """Replace the document's chunks, manifest row, quotations and unit vectors, in one
        transaction; `units` None puts it in the unit backlog."""
        ...

    def store_facts(self, doc: Document, facts: DocumentFacts) -> None:
        """Replace the quotations and date of a document indexed with this very text (same sha256),
        and put it in the unit backlog (quotations group its units); another version, or none, is
        left alone."""
        ...

    def store_word_vectors(self, words: Sequence[str], vectors: np.ndarray) -> None:
        """Store the vectors of words not stored yet (a word's vector never changes: no document owns it)."""
        ...

    def store_units(self, path: str, sha256: str, units: Sequence[UnitVectors]) -> bool:
        """Replace the unit vectors of a document indexed with this very text (same sha256) and
        take it off the unit backlog; False (nothing written) for another version, or none."""
        ...

    def delete_document(self, path: str) -> None:
        """Remove the document, its chunks and quotations, in one transaction."""
        ...

    # -- connections -----------------------------------------------------------------------------

    def release_connection(self) -> None:
        """Close this thread's connection (a worker thread that is about to end)."""
        ...

    def close(self) -> None: ...
