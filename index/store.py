"""The index of one directory, behind one facade: the vector index (Chroma), the catalogue
(SQLite by default: documents, chunks, lexical search, unit vectors, quotations, journal) and the speaker
directory, written two-phase under one writer lock.

A document is visible to search only once its catalogue transaction commits: each write journals
the documents in flight, then writes their vectors, then commits them to the catalogue one by
one, then deletes the vectors of the versions they replace. The next writer (`recover`) removes
the vectors an interrupted one left, so the index never ends half-written for a document.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import CATALOGUE_FILE, Catalogue, SQLiteCatalogue
from .catalogue.postgres_locks import PostgresWriterLock
from .directory import ensure_index_dir
from .documents import Document, shown
from .lock import IndexBusyError, WriterLock
from .records import (
    ChunkToEmbed,
    DocumentFacts,
    DocumentRecord,
    DocumentWrite,
    IndexHealth,
    QuotationSpan,
    StoredChunk,
    StoredQuotation,
    UnitVectors,
    Vectors,
    chunk_id,
)
from .speakers import Speaker, SpeakerDirectory
from .terms import lexical_terms
from .vectors import VectorIndex, vector_metadata

__all__ = ["IndexStore"]

log = logging.getLogger(__name__)


class IndexStore:
    """The vectors, catalogue and speakers of one index directory.

    The Chroma client is passed in (on-disk or a server's), so one can be shared; without one
    (None) only the catalogue is opened, for reading documents and quotations. `embedder` is not
    used (vectors come precomputed) and is accepted for the callers that pass it. `catalogue`
    replaces the default SQLite catalogue in the directory (another backend).

    `reopen` (for an on-disk Chroma) opens the client again: a process searches with the HNSW index
    it loaded, so when the catalogue's generation shows that another process stored or removed
    documents, the next dense search first opens Chroma again (once per such change).
    """

    def __init__(
        self, index_dir: str | Path, chroma_client: Any, embedder: Any = None, collection_name: str = "documents",
        *, catalogue: Catalogue | None = None, reopen: Callable[[], Any] | None = None,
    ):
        # A shared catalogue (PostgreSQL) keeps nothing in the directory: it may not even exist here.
        self.shared = bool(getattr(catalogue, "shared", False))
        self.index_dir = Path(index_dir) if self.shared else ensure_index_dir(index_dir)
        self._writer: WriterLock | PostgresWriterLock = (
            catalogue.writer_lock() if self.shared else WriterLock(self.index_dir))  # type: ignore[union-attr]
        self._writer_turn = threading.Lock()  # this process's threads take turns before the OS lock
        self._writer_thread: int | None = None
        self.catalogue: Catalogue = catalogue or SQLiteCatalogue(self.index_dir / CATALOGUE_FILE)
        self.speaker_directory = SpeakerDirectory(self.catalogue)
        # None: the catalogue alone, documents and quotations without vectors (`assistant quotes`).
        self.vectors = None if chroma_client is None else VectorIndex(chroma_client, collection_name)
        self._collection_name = collection_name
        self._reopen = reopen if chroma_client is not None else None
        self._reopen_turn = threading.Lock()  # dense searches and a reopen of the client take turns
        self._generation = self.catalogue.generation()  # the last one whose vectors this process sees

    @property
    def _vectors(self) -> VectorIndex:
        if self.vectors is None:
            raise RuntimeError("this IndexStore was opened without a Chroma client: it has no vectors")
        return self.vectors

    def release_connection(self) -> None:
        """Close this thread's catalogue connection (a worker thread that is about to end)."""
        self.catalogue.release_connection()

    def close(self) -> None:
        self.catalogue.close()

    # -- reading ---------------------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        return self.catalogue.documents()

    def document_hashes(self) -> dict[str, str]:
        return self.catalogue.document_hashes()

    def document_sha(self, path: str) -> str | None:
        """The sha256 of the document indexed at `path` now (another writer may have stored it since)."""
        return self.catalogue.document_sha(path)

    def document(self, doc_id: str) -> DocumentRecord | None:
        """The document with this id (as in `/documents/<id>`), or None."""
        return self.catalogue.document(doc_id)

    def documents_of(self, chunk_ids: Sequence[str]) -> dict[str, DocumentRecord]:
        """chunk_id -> its document, for the committed chunks among `chunk_ids` (a citation's page and URL)."""
        return self.catalogue.documents_of(chunk_ids)

    def document_text(self, path: str) -> str | None:
        """The document's text as loaded at ingest (every offset points into it), or None."""
        return self.catalogue.document_text(path)

    def chunk_count(self) -> int:
        return self.catalogue.chunk_count()

    def is_empty(self) -> bool:
        return self.catalogue.is_empty()

    def sample_texts(self, limit: int) -> list[str]:
        """Up to `limit` chunk texts, spread over the documents (the first chunks of each)."""
        return self.catalogue.sample_texts(limit)

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Committed chunks among `ids`; vectors of uncommitted documents are not found here."""
        return self.catalogue.chunks_by_id(ids)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity), best first."""
        if self._reopen is None:
            return self._vectors.search(vector, k)
        with self._reopen_turn:
            if not self._writer.held:  # while this process writes, its own client is the current one
                self._follow_other_writers()
            return self._vectors.search(vector, k)

    def _follow_other_writers(self) -> None:
        """Open Chroma again if another process wrote vectors since this one last looked (callers
        hold `_reopen_turn`). Until it succeeds the generation stays unseen, so a failed open is
        tried again at the next search rather than leaving the closed client in place."""
        now = self.catalogue.generation()
        if now == self._generation or self._reopen is None:
            return
        log.info("another process wrote the vector index: opening it again")
        old = self._vectors
        with suppress(Exception):  # its System must stop, or the new client would get the same one back
            old.client.close()
        fresh = VectorIndex(self._reopen(), self._collection_name)  # failing, the next search tries again
        if getattr(fresh.client, "_system", None) is getattr(old.client, "_system", object()):
            # Chroma shares one System per folder among a process's clients: another client of
            # this index is still open here, and this one sees what that one sees.
            log.warning("another Chroma client of %s is open in this process: dense search here does not see "
                        "other processes' writes until it is closed", shown(str(self.index_dir)))
        self.vectors = fresh
        self._generation = now

    def lexical_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score; higher is better), best first."""
        return self.catalogue.lexical_search(list(dict.fromkeys(lexical_terms(query))), k)

    def document_lead(self, path: str) -> str:
        """The document's first chunk: its title, dateline and lead, where a season or year that
        its later passages take for granted is set ("the 2015 season")."""
        return self.catalogue.document_lead(path)

    def chunks_covering(self, path: str, start: int, end: int) -> list[StoredChunk]:
        """The document's chunks overlapping [start, end), by start."""
        return self.catalogue.chunks_covering(path, start, end)

    def unit_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """text key (`index.units.unit_key`) -> vector of the answer units of these chunks, as
        embedded at ingest; units of documents in the unit backlog are not found."""
        return self.catalogue.unit_vectors(chunk_ids)

    def word_vectors(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """word (folded, `index.terms.evidence_words`) -> the model's vector of it, as embedded at ingest."""
        return self.catalogue.word_vectors(words)

    def unit_backlog(self) -> list[str]:
        """Paths of indexed documents whose unit vectors are not stored yet."""
        return self.catalogue.unit_backlog()

    def vector_count(self) -> int:
        return self._vectors.count()

    # -- quotations ------------------------------------------------------------------------------

    def quotation_count(self) -> int:
        return self.catalogue.quotation_count()

    def quotation_backlog(self) -> set[str]:
        """Paths of indexed documents whose quotations were never extracted (indexed before that existed)."""
        return self.catalogue.quotation_backlog()

    def speakers(self) -> list[Speaker]:
        """Everyone quoted in the index, most quoted first."""
        return self.speaker_directory.speakers()

    def find_speakers(self, name: str) -> list[Speaker]:
        """Speakers a name denotes (see `SpeakerDirectory.find`)."""
        return self.speaker_directory.find(name)

    def find_speakers_by_title(self, title: str) -> list[Speaker]:
        """Speakers whose title is `title` or ends with it: "the prime minister" finds a "Prime Minister"."""
        return self.speaker_directory.find_by_title(title)

    def quotation_spans(self, paths: Sequence[str]) -> dict[str, list[QuotationSpan]]:
        """Where each document's direct quotations are (as stored at ingest), for answer units."""
        return self.catalogue.quotation_spans(paths)

    def quotations(self, speaker: Speaker | str) -> list[StoredQuotation]:
        """A speaker's quotations (a Speaker, or a name as find_speakers takes it), by document, in
        document order."""
        return self.speaker_directory.quotations(speaker)

    # -- consistency -----------------------------------------------------------------------------

    def health(self, page: int = 5000) -> IndexHealth:
        """Compare the catalogue's chunks with the vectors (paging through Chroma's ids, so an
        index of 100k chunks is never listed in one call). Changes nothing."""
        chunk_ids = self.catalogue.chunk_ids()
        vector_ids = set(self._vectors.ids(page))
        return IndexHealth(
            documents=self.catalogue.document_count(), chunks=len(chunk_ids), vectors=len(vector_ids),
            missing=tuple(sorted(chunk_ids - vector_ids)), orphans=tuple(sorted(vector_ids - chunk_ids)),
        )

    def chunks_to_embed(self, ids: Sequence[str]) -> list[ChunkToEmbed]:
        """The catalogue chunks among `ids`, with their documents' titles and hashes."""
        return self.catalogue.chunks_to_embed(ids)

    def restore_vectors(self, chunks: Sequence[ChunkToEmbed], vectors: Vectors) -> None:
        """Store the vectors of catalogue chunks that had none; the catalogue is not touched."""
        with self._writes():
            self._vectors.upsert(
                [c.chunk_id for c in chunks], vectors, [c.text for c in chunks],
                [vector_metadata(c.path, c.source, c.title, c.sha256, c.ordinal, c.start, c.end) for c in chunks],
            )
            self.catalogue.next_generation()

    def delete_vectors(self, ids: Sequence[str]) -> None:
        with self._writes():
            self._vectors.delete(ids)
            self.catalogue.next_generation()

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self, wait: bool = True) -> Iterator[None]:
        """Hold the index's writer lock for the block: other processes (and threads) that write
        wait for it, or raise IndexBusyError when `wait` is False. Reentrant in the thread holding it."""
        if self._writer_thread == threading.get_ident():
            yield
            return
        if not self._writer_turn.acquire(blocking=wait):
            raise IndexBusyError(
                f"the index at {shown(str(self.index_dir))} is being written by another thread of this process"
            )
        try:
            self._writer.acquire(wait)
            self._writer_thread = threading.get_ident()
            followed = False
            try:
                with self._reopen_turn:  # what other processes wrote before this one took the lock
                    self._follow_other_writers()
                followed = True
                yield
            finally:
                if followed:
                    self._generation = self.catalogue.generation()  # everything since is this process's
                self._writer_thread = None
                self._writer.release()
        finally:
            self._writer_turn.release()

    def exclusively(self, wait: bool = True) -> AbstractContextManager[None]:
        """Hold the writer lock with no other writer anywhere (a health check): the directory's lock
        for an index of one host; for a shared catalogue, until every writer on every host ends."""
        return self._writer.exclusive(wait) if self.shared else self.writing(wait)

    def alone(self) -> AbstractContextManager[bool]:
        """Inside `writing`: whether this writer is the only one (always, for an index of one host).
        What needs that (repairs) runs when True; when False a writer still running does it last."""
        return self._writer.alone()

    def claim(self, path: str) -> bool:
        """Inside `writing`: claim a document to write; False while another writer (on any host) holds it."""
        return self._writer.claim(path)

    def release_claim(self, path: str) -> None:
        self._writer.release_claim(path)

    def _writes(self) -> AbstractContextManager[None]:
        """The lock a write needs: none more while it is held (an ingest run, whose writer thread
        does its writes), else its own for the duration of the write."""
        return nullcontext() if self._writer.held else self.writing()

    def recover(self) -> int:
        """Remove Chroma vectors left by an interrupted run; returns the number of journal entries.

        Only under the writer lock: every writer journals only while it holds that lock, so what
        the journal holds then was left by a process that is gone, never by a live one."""
        with self._writes(), self.alone() as alone:
            if not alone:  # other writers' entries are live; the last writer out cleans up
                return 0
            pending = self.catalogue.journal_pending()
            current = self.document_hashes()
            for path in pending:
                self._vectors.delete_document(path, keep_sha=current.get(path))
            self.catalogue.journal_clear()
            return len(pending)

    def write_documents(self, items: Sequence[DocumentWrite]) -> None:
        """Store documents with their chunks and vectors, replacing earlier versions of the same
        paths; a document's chunks, quotations and manifest row are committed in one transaction."""
        if not items:
            return
        with self._writes():
            self._write_documents(items)
            self.catalogue.next_generation()  # once per call, after its Chroma deletes too

    def _write_documents(self, items: Sequence[DocumentWrite]) -> None:
        # Only these have vectors of an older version to delete; a new path has none (an interrupted
        # run's leftovers were removed by `recover`), which spares a Chroma delete per new document.
        replaced = self.catalogue.indexed_paths([item.document.path for item in items])
        self.catalogue.journal_add([(item.document.path, item.document.sha256) for item in items])
        ids: list[str] = []
        vectors: list[Any] = []
        texts: list[str] = []
        metadatas: list[dict] = []
        for item in items:
            doc = item.document
            for chunk, vec in zip(item.chunks, item.vectors, strict=False):
                ids.append(chunk_id(doc.path, doc.sha256, chunk.ordinal))
                vectors.append(vec)
                texts.append(chunk.text)
                metadatas.append(
                    vector_metadata(doc.path, doc.source, doc.title, doc.sha256, chunk.ordinal, chunk.start, chunk.end)
                )
        self._vectors.upsert(ids, vectors, texts, metadatas)
        now = time.time()
        for item in items:
            self.catalogue.store_document(item.document, item.chunks, item.facts, now, item.units)
        for item in items:
            doc = item.document
            if doc.path in replaced:
                self._vectors.delete_document(doc.path, keep_sha=doc.sha256)
            self.catalogue.journal_done(doc.path, doc.sha256)

    def write_facts(self, items: Sequence[tuple[Document, DocumentFacts]]) -> None:
        """Store the quotations and date of documents already indexed with this very text (the
        backlog of an index built before quotations were stored); chunks and vectors stay."""
        with self._writes():
            for doc, facts in items:
                self.catalogue.store_facts(doc, facts)

    def rename_source(self, path: str, source: str) -> None:
        """Show the document as `source` (a name relative to its root); nothing else changes."""
        with self._writes():
            self.catalogue.rename_source(path, source)

    def write_word_vectors(self, words: Sequence[str], vectors: np.ndarray) -> None:
        with self._writes():
            self.catalogue.store_word_vectors(words, vectors)

    def known_words(self, words: Sequence[str]) -> set[str]:
        return self.catalogue.known_words(words)

    def write_units(self, items: Sequence[tuple[str, str, Sequence[UnitVectors]]]) -> int:
        """Store the unit vectors of documents (path, sha256, units) still indexed with that very
        text (the unit backlog); returns how many were."""
        with self._writes():
            return sum(self.catalogue.store_units(path, sha256, units) for path, sha256, units in items)

    def remove_documents(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        if not paths:
            return
        with self._writes():
            busy = [path for path in paths if not self.claim(path)]
            if busy:  # another host is writing it: removing it now could leave its new version without vectors
                raise IndexBusyError(
                    f"{shown(busy[0])} is being written by another writer right now; try again when it is done")
            for path in paths:
                self.catalogue.journal_add([(path, None)])
                self.catalogue.delete_document(path)
                self._vectors.delete_document(path, keep_sha=None)
                self.catalogue.journal_done(path, None)
                self.release_claim(path)
            self.catalogue.next_generation()
