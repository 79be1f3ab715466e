"""What the index stores and gives back, as plain frozen records: documents, chunks, quotations,
and a document as ingest hands it over for writing. Shared by the catalogue, the vector index and
the facade (`index.store.IndexStore`), so a second catalogue backend returns the very same types."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .chunking import Chunk
from .documents import Document
from .quotes import Quotation

# Vectors as the embedder gives them (a 2-D numpy array) or as lists of floats, one row per chunk.
Vectors = Sequence[Any] | np.ndarray


def chunk_id(path: str, sha256: str, ordinal: int) -> str:
    """Stable id: the same file content at the same path gives the same ids.

    >>> chunk_id("/docs/a.txt", "ab" * 32, 3)
    '17436322e876-abababababab-00003'
    """
    return f"{hashlib.sha1(path.encode()).hexdigest()[:12]}-{sha256[:12]}-{ordinal:05d}"


def document_id(path: str) -> str:
    """A document's id in URLs (`/documents/<id>`): stable for its path, whatever its version.

    >>> document_id("/docs/a.txt")
    'cf81b2c5824e8abc'
    """
    return hashlib.sha1(b"document\0" + path.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class StoredChunk:
    chunk_id: str
    path: str
    source: str
    title: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocumentRecord:
    path: str
    source: str
    title: str
    sha256: str
    chunks: int
    chars: int
    ingested_at: float
    date: str | None = None  # YYYY-MM-DD when the document states it
    doc_id: str = ""  # `document_id(path)`
    pages: tuple[int, ...] = ()  # a PDF's page starts in its text (index.documents.page_of)
    quotations: int = 0  # quotations found in it


@dataclass(frozen=True)
class ChunkToEmbed:
    """A catalogue chunk with what its vector is made of and stored with."""

    chunk_id: str
    path: str
    source: str
    title: str
    title_embedded: bool
    sha256: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DocumentFacts:
    """What ingest found in a document's text besides its chunks."""

    quotations: Sequence[Quotation] = ()
    date: str | None = None


@dataclass(frozen=True)
class UnitVectors:
    """The answer units of one chunk (index/units.py) embedded at ingest: their keys and vectors."""

    ordinal: int  # the chunk's
    keys: tuple[str, ...]
    vectors: np.ndarray  # one row per key, float32


@dataclass(frozen=True)
class DocumentWrite:
    """One document for `IndexStore.write_documents`: its chunks, their vectors (one per chunk, in
    order), what else ingest found in it, and its chunks' unit vectors (None: not computed; the
    document then waits in the unit backlog)."""

    document: Document
    chunks: Sequence[Chunk]
    vectors: Vectors  # one per chunk, in order
    facts: DocumentFacts = DocumentFacts()
    units: Sequence[UnitVectors] | None = None


class QuotationSpan(NamedTuple):
    """Where a direct quotation is in its document (the text between its marks), and who said it."""

    start: int
    end: int
    speaker_key: str


@dataclass(frozen=True)
class StoredQuotation:
    path: str
    source: str
    document_title: str
    date: str | None
    ordinal: int
    speaker: str  # canonical name in this document
    speaker_key: str  # normalise_speaker(speaker)
    forms: tuple[str, ...]
    title: str  # the speaker's title in this document ("Prime Minister"), or ""
    kind: str  # "direct" or "reported"
    start: int
    end: int
    text: str  # exactly document_text[start:end]


@dataclass(frozen=True)
class SpeakerRow:
    """The quotations of one speaker form in one document, as the catalogue counts them."""

    speaker_key: str
    surname_key: str
    speaker: str
    title: str
    forms: tuple[str, ...]
    path: str
    count: int


@dataclass(frozen=True)
class IndexHealth:
    """Whether the catalogue and the vectors hold the same chunks."""

    documents: int
    chunks: int
    vectors: int
    missing: tuple[str, ...]  # ids of catalogue chunks without a vector (dense search never finds them)
    orphans: tuple[str, ...]  # ids of vectors without a catalogue chunk

    @property
    def consistent(self) -> bool:
        return not self.missing and not self.orphans

    def summary(self) -> str:
        state = "consistent" if self.consistent else "INCONSISTENT"
        return (
            f"{state}: {self.documents} documents, {self.chunks} chunks, {self.vectors} vectors, "
            f"{len(self.missing)} chunks without a vector, {len(self.orphans)} vectors without a chunk"
        )
